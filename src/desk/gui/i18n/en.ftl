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
status-meets-acknowledge = Setting "Acknowledged" meets the deadline to acknowledge the report.
status-meets-answer = Setting "Acknowledged" tells the person the request was received.
status-meets-feedback = A closed status meets the deadline to give feedback.
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
