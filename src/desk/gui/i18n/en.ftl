# candor-desk, the desktop application: English (the fallback for every
# other catalogue). Keep the same keys and { $variables } in every language;
# the tests check the keys.

language = Language
cancel = Cancel
yes = yes
no = no

## Unlocking

unlock-title = Unlock the office's vault
unlock-intro = Type the passphrase of the office's secret keys once. The window keeps the keys in memory until it is locked or closed.
unlock-vault = Vault folder
unlock-keys = Secret keys folder
unlock-passphrase = Passphrase
unlock-button = Unlock
err-no-keys = Type the folder of the office's secret keys.
err-nothing-pending = Nothing is waiting to go out: no reply, status change, recorded case or purge.
err-bundle-refused = The export was refused and the vault was not changed. Keep the file as evidence and tell the server's administrator.
err-not-found = Not found.
err-exists = That file or folder exists already; choose a new name.
err-no-vault = Choose the vault folder first.
err-wrong-passphrase = The passphrase is not the one that protects these keys. Try again.
err-passphrase-needed = These keys are protected by a passphrase: type it, then unlock.
notice-unlocked = Unlocked: { $cases } case(s) in the vault.
notice-unlocked-new = Unlocked a new, empty vault. Open an export to fill it.
notice-locked = Locked. The keys and every decrypted case were dropped from memory.
notice-idle-locked = Locked after { $minutes } minute(s) without use. Unlock to go on.

## Menu

nav-inbox = Inbox
nav-open = Open an export…
nav-record = Record a case
nav-outbox = Write the outbox…
nav-report = Annual report
nav-lock = Lock
nav-purge = Purge and retention…

## Inbox

inbox-search = Search
inbox-search-hint = words in any report, message, reply or note
inbox-count = { $shown } of { $total } case(s) shown
inbox-empty = No cases yet. Open an export from the server to bring them in.
inbox-open-case = Open this case
inbox-unread = New
inbox-starred = Starred
filter-any = Any
filter-status = Status
filter-kind = Kind
filter-category = Category
filter-overdue = Overdue only
filter-unread = Unread only
filter-starred = Starred only
filter-sort = Sort
sort-newest = Newest first
sort-oldest = Oldest first
sort-deadline = Most urgent first
sort-status = By status
sort-id = By case id
col-case = Case
col-new = Marks
col-kind = Kind
col-categories = Categories
col-status = Status
col-received = Received
col-channel = Channel
col-deadline = Deadline
col-addressed-to = Addressed to

## Deadlines (a word always, never a colour alone)

due-acknowledge = acknowledge
due-answer = answer
due-feedback = give feedback
deadline-overdue = OVERDUE: { $what } by { $day }
deadline-soon = Due soon: { $what } by { $day }
deadline-ok = { $what } by { $day }
deadline-done = Nothing due
deadline-none = To answer (no deadline set)

## Case view

case-title = Case { $case }
case-back = Back to the inbox
case-star = Starred
case-gone = This case is no longer in the vault.
field-kind = Kind
field-categories = Categories
field-status = Status
field-addressed-to = Addressed to
field-received-online = Received
field-recorded-on = Recorded on
field-received-value = { $day } ({ $channel })
field-when = When
field-where = Where
field-people = People involved
field-contact = Contact
field-deadline = Deadline
field-description = Report
case-thread = Thread
thread-report = { $day }: report received
thread-message = { $day }: message from the reporter
thread-attachments = { $count } attachment(s), listed below
thread-reply = { $day }: reply from the office
thread-status = { $day }: status set to { $status }
thread-pending = waiting for the next outbox
case-attachments = Attachments
case-no-attachments = No attachments.
col-name = Name
col-type = Type
col-size = Size
col-in-vault = In the vault
case-save-files = Save the case's files to a folder…
save-warning = Files from reporters may carry metadata that identifies them (author names, GPS positions, device serial numbers) and may be hostile (macros, exploits for viewers). This application never opens them. Open them only on this offline machine, with a viewer you trust, and never forward them as they are.
save-folder-name = New folder to save into
save-confirm = Save the files
notice-files-saved = Wrote { $count } file(s) into { $path }.
err-choose-folder = Type the name of a new folder to save into.
case-reply = Reply to the reporter
case-send-reply = Record the reply
case-save-draft = Keep as draft
case-no-online-reporter = This case came by another channel without a receipt: no one online can read a reply.
err-empty-reply = The reply is empty.
notice-reply-recorded = Reply recorded; it goes out with the next outbox.
notice-draft-saved = Draft kept in the vault.
case-notes = Office notes (kept in the vault, never sent)
case-save-notes = Save the notes
notice-notes-saved = Notes saved in the vault.
case-new-status = New status
case-set-status = Set the status
status-effect-same = The case has this status already.
status-effect-nothing-due = No deadline is open on this case; the status is for the record and for the reporter.
status-effect-acknowledge = Setting it now meets the deadline to acknowledge the report,
status-effect-feedback = Setting it now meets the deadline to give feedback,
status-effect-on-time = on time (due { $day }).
status-effect-late = late (it was due { $day }).
status-effect-feedback-next = Feedback is then due by { $day }.
status-effect-answer = Setting it now answers the request for advice.
status-effect-closes = A closed status ends the case: nothing more is due.
status-effect-none = It meets no deadline; still due: { $still }.
notice-status-set = Status set to { $status }; the reporter sees it after the next outbox.
case-purge = Purge this case…
purge-question = Purge case { $case }? Its report, { $messages } message(s), { $attachments } attachment(s), replies and notes are removed from this vault now, and the server drops its content when it imports the next outbox. This cannot be undone.
purge-confirm = Purge case { $case }
notice-purged = Case { $case } was purged from the vault; the server drops it after the next outbox.

## Statuses, kinds, categories, channels

status-received = Received
status-acknowledged = Acknowledged
status-preliminary-review = Preliminary review
status-investigation = Investigation
status-closed-substantiated = Closed: substantiated
status-closed-unsubstantiated = Closed: unsubstantiated
status-closed-referred = Closed: referred
kind-misconduct = Misconduct report
kind-advice = Advice request
cat-conduct = General standards of conduct
cat-harassment = Harassment
cat-outside-activities = Outside activities
cat-conflict-of-interest = Conflict of interest
cat-fraud = Fraud
cat-retaliation = Retaliation
cat-sexual-exploitation = Sexual exploitation and abuse
cat-other = Other
cat-gifts = Gifts and hospitality
cat-elections = Elections and political activity
cat-hr-grievance = Human resources grievance
cat-workplace-dispute = Workplace dispute
channel-online = online
channel-recorded = recorded at another desk
channel-phone = phone
channel-post = post
channel-meeting = meeting
channel-email = email
channel-other = other

## Opening an export

open-title = Open an export from the server
open-intro = Choose the export file carried over from the transfer machine. It is verified whole (the server's signature, the chain of entries, the office's signatures) before anything is kept; if anything is wrong, the vault is not changed.
open-file = Export file
open-button = Verify and open
open-result = Verification
err-choose-bundle = Choose the export file first.
notice-opened = The export was verified and opened.
opened-verified = { $path } was signed by the server key { $key }… and continues the log this vault knows, up to entry { $head }.
opened-pinned = This was the first export: the server's key is now pinned, and later exports must be signed by it.
opened-new = New: { $cases } case(s), { $messages } message(s), { $attachments } attachment(s); { $delivered } of the office's operations confirmed delivered; { $purged } case(s) purged.
opened-new-case = New case { $case }
opened-next = Next time, ask the transfer machine for /export?after={ $head }.
opened-other-channel = { $entries } entries addressed to channel { $channel } skipped (cases: { $cases }): sealed to that channel's keys, not this desk's.
opened-other-default = { $entries } entries addressed to the office's default channel skipped (cases: { $cases }): sealed to its keys, not this desk's.

## Outbox

outbox-title = The outbox: what goes back to the server
outbox-pending = Waiting to go out: { $replies } reply(ies), { $statuses } status change(s), { $recorded } recorded case(s), { $purges } purge(s).
outbox-intro = The outbox is signed with the officer's key. Carry it to the transfer machine and import it; what it carries stays pending here until a later export shows the server has it, so writing it again is safe.
outbox-file = Outbox file
outbox-button = Write the outbox
err-choose-outbox = Type a name for the outbox file.
notice-outbox-written = Wrote { $path }: { $replies } reply(ies), { $statuses } status change(s), { $recorded } recorded case(s), { $purges } purge(s).

## Recording a case

record-title = Record a case that came by another channel
record-kind = Kind
record-categories = Categories or topics
record-channel = Channel
record-received = Received on (YYYY-MM-DD)
record-description = What was reported, in your words
record-issue-receipt = Issue a receipt, so the person can follow up online
record-button = Record the case
err-bad-date = Write the day as YYYY-MM-DD, for example 2026-03-02.
notice-recorded = Recorded case { $case }.
receipt-title = Receipt for case { $case }
receipt-intro = Hand this receipt to the person privately. It is shown once and is not kept anywhere: with it they can read replies and write to the office once the next outbox is imported.
receipt-after = When the person has it, press the button: the receipt disappears from this window.
receipt-done = The receipt was handed over
receipt-print = Print the receipt
print-title = Your receipt
print-intro = Keep this code secret, where only you can reach it. With it you can read the office's replies and write to the office without giving your name.
print-site = To follow up, open { $site } (in Tor Browser if you can, never on a device or network of your employer) and type the code.
print-no-site = To follow up, open the office's reporting site (address: ______________________________) and type the code.
print-lost = Nobody at the office can find this code again: if you lose it, make a new report and mention the earlier one.
notice-printed = The receipt was sent to the printer ({ $program }). Fetch the page from the printer now.
err-no-printer = This machine has no print system (neither lp nor lpr from CUPS): hand the receipt over from the screen, or copy it by hand.
err-print-refused = The printer did not take the page; hand the receipt over from the screen. The print system said:
err-no-category = Tick at least one category or topic.
err-empty-description = Write what was reported first.

## Annual report

report-title = The year in figures
report-complaints = Complaints received
report-multi = Complaints under two or more categories
report-inv-opened = Formal investigations opened
report-inv-closed = Formal investigations closed
report-advice = Confidential advice requests
report-median-ack = Median days to acknowledge
report-median-close = Median days to close
report-substantiated = Complaints closed as substantiated
report-year = Year
report-export-intro = Export the table (Markdown, or HTML for a file ending in .html) and the chart (SVG) for the annual report.
report-file = Report file
report-export = Export the report
err-choose-report = Type a name for the report file, such as report-2026.md.
notice-report-written = Wrote { $paths }.

## File chooser

picker-folder = Folder
picker-up = Up one folder
picker-empty = (nothing here)

## Purge and retention

purge-title = Purge closed cases and waiting parts
purge-closed-intro = Every case whose last status is a closed one, set before the day you give (the office's retention period), is listed with what it holds; nothing goes before you confirm. The server drops the cases it has when it imports the next outbox.
purge-closed-before = Closed before (YYYY-MM-DD)
purge-find = List the cases
purge-col-closed = Closed on
col-messages = Messages
col-attachments = Attachments
purge-closed-question = Purge these { $count } case(s), closed before { $day }? Their reports, { $messages } message(s), { $attachments } attachment(s), replies and notes are removed from this vault now. This cannot be undone.
purge-closed-confirm = Purge { $count } case(s)
notice-none-closed-before = No case was closed before { $day }.
notice-purged-closed = Purged { $count } case(s) from the vault; the server drops those it has after the next outbox.
parts-title = Attachment parts waiting for their message
parts-intro = Pieces of an attachment whose message has not come yet. They are dropped by themselves after a few exports; drop them now if the server's administrator says the message will never come.
parts-none = No attachment part is waiting.
parts-col-drop = Drop
parts-col-id = Attachment
parts-col-exports = Exports waited
parts-drop-one = Drop part { $id }
parts-drop = Drop the ticked parts…
parts-question = Drop { $count } waiting part(s), { $size }? If their message comes later, its attachment will be missing.
parts-confirm = Drop { $count } part(s)
notice-parts-dropped = Dropped { $count } waiting part(s).

## Errors in detail (after the first sentence of an error)

err-detail = Detail:
err-case-not-found = There is no case { $case } in this vault.
err-no-online-reporter = Case { $case } came by another channel without a receipt: no one online can read a reply.
err-missing-key-file = There is no key file at { $path }.
err-key-file = The key file { $path } cannot be used.
err-key-bad-line = Line { $line } is not a valid key.
err-key-not-a-key-file = It is not a candor key file.
err-openpgp-file = The OpenPGP key file { $path } cannot be used.
err-openpgp = An OpenPGP key cannot be used.
err-random = The operating system's random number generator failed; nothing was changed.
err-seal = Could not encrypt for case { $case }; nothing was written.
err-decrypt = { $what } does not decrypt with the office's keys.
err-bad-entry = { $what } could not be read.
err-entry-refused = { $what } was refused: the desk cannot attribute it to the office or to the reporter.
err-over-limit = It is over one of the desk's limits.
err-case-too-large = Case { $case } would hold { $bytes } bytes, over the limit of { $limit }.
err-what-entry = Entry { $seq }
err-what-attachment = Attachment { $attachment } of case { $case }
err-b-not-a-bundle = This file is not a candor export.
err-b-truncated = The file is cut short.
err-b-malformed = The file is damaged or was altered.
err-b-wrong-signer = It was signed by another key than the one expected.
err-b-old-outbox = This outbox was written by a previous release; write it again.
err-b-op-signature = Operation { $op } is not validly signed:
err-b-bad-signature = Its signature is not valid: it was altered.
err-b-does-not-extend = It does not continue from the last export opened here (it starts after entry { $after }; this vault has seen up to entry { $seen }).
err-b-server-key-changed = It was signed by another server key than the one pinned at the first export.
err-b-unreadable = The file could not be read:
err-log-out-of-sequence = Entry { $seq } is out of order (entry { $expected } was expected).
err-log-broken-chain = Entry { $seq } does not follow the entry before it: the log was altered.
err-log-body-mismatch = The content of entry { $seq } does not match its hash: it was altered.
err-log-head-mismatch = The signed head does not match the entries.
err-auth-unsigned = it is not signed by an officer key.
err-auth-unknown-signer = it is signed by a key that is not one of the office's signing keys.
err-auth-bad-signature = its signature does not match its content.
err-auth-no-mac = it carries no reporter MAC.
err-auth-bad-mac = its reporter MAC does not match.
err-vault-not-found = There is no vault at { $path }.
err-vault-unreadable = { $path } is not a vault this version can read.
err-vault-decrypt = The vault at { $path } does not decrypt: is this the office key it was made with?
err-case-file-mismatch = The file of case { $case } is not the one the vault's index names (swapped, rolled back or damaged); restore the vault from a backup.
err-io = { $path }: { $reason }
err-io-not-found = there is no such file or folder.
err-io-permission = permission denied.
err-io-exists = it exists already.
err-io-full = the disk is full.
err-io-is-folder = it is a folder, not a file.
err-io-not-folder = a part of the path is not a folder.
err-io-damaged = the file is damaged or cut short.
err-io-other = it could not be read or written.

## Long operations (shown at the bottom while they run)

busy-unlocking = Unlocking: deriving the key from the passphrase and decrypting the cases…
busy-opening = Verifying and opening the export…
busy-writing-outbox = Writing the outbox…
busy-exporting-report = Exporting the report…
busy-printing = Sending the receipt to the printer…
err-worker-stopped = The operation stopped unexpectedly; the vault was not changed by it. Try again, or use the same command in a terminal to see more.
busy-waiting-vault = Waiting for the vault: a candor-desk command in a terminal is using it. The window unlocks when it ends.
