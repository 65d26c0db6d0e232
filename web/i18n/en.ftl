# candor reporter site: English (the fallback for every other catalogue).
#
# The people reading these words may be frightened and in a hurry. Say what
# to do, plainly and kindly; never blame. Keep the same keys and the same
# { $variables } in every language; the tests check both.

## Every page

skip-link = Skip to the main content
demo-banner = This server uses the public demonstration keys shipped with candor. Anyone can read what is sent here. Do not report anything real.
tagline = Confidential reporting channel
lang-switch = Language
nav-label = Site
nav-home = Home
nav-report = Make a report
nav-advice = Ask for advice
nav-followup = Follow up
footer-privacy = This site uses no JavaScript and loads nothing from other sites. It sets a cookie only while you are logged in with a receipt code, and forgets it when you leave.
size-mb = { $n } MB
size-gb = { $n } GB

## Landing page

index-title = Report misconduct safely
index-lead = You can tell the ethics office about wrongdoing, or ask it for confidential advice, without giving your name.
index-what-title = What you can report
index-advice-intro = You can also ask for confidential advice before you act, for example about:
index-advice-link = Ask for confidential advice
index-protect-title = You are protected against retaliation
index-protect-text = Retaliation against anyone who reports misconduct in good faith, or who helps with an inquiry, is itself misconduct. If you are treated unfairly because you reported, tell the office here too: it can recommend measures to protect you.
index-anon-title = How your anonymity is kept
index-anon-encrypted = Everything you send is encrypted on this server before it is stored, with a key the server does not have. Only the ethics office can read it, on a computer that is never connected to a network.
index-anon-no-logs = This service does not record your IP address, your browser, or the time you visited — only the day a report arrived.
index-anon-receipt = You get a receipt code instead of an account. Keep it secret: with it you can read the office's replies and send more information.
index-keep-title = How to stay anonymous
index-keep-tor = Use Tor Browser, on a personal device.
index-keep-network = Do not use a work computer or phone, or your employer's network or VPN: they may be monitored.
index-keep-metadata = Documents and photos carry hidden information: the author, the device, dates, sometimes the place where a photo was taken. Remove it before you attach them (for example with a metadata-removal tool, or by taking a screenshot of a document), or describe what they show instead.
index-keep-details = Leave out details that only you could know, unless you want the office to know who you are.
index-next-title = What happens next
index-next-ack = The office acknowledges your report within 7 days.
index-next-feedback = Within 3 months, it tells you how your report is being handled.
index-next-followup = There is no e-mail: come back, log in with your receipt code, read the office's replies and answer its questions.
index-contact-title = Other ways to reach the office
index-external-title = Reporting outside the office
index-external-intro = You may also report to these bodies:
index-start-label = Start
action-report = Make a report
action-advice = Ask for advice
action-followup = I have a receipt code

## Categories of misconduct and advice topics

category-conduct = General standards of conduct
category-harassment = Harassment, sexual harassment or abuse of authority
category-outside-activities = Outside activities
category-conflict-of-interest = Conflict of interest
category-fraud = Fraud, corruption or misuse of resources
category-retaliation = Retaliation for reporting
category-sexual-exploitation = Sexual exploitation and abuse
category-gifts = Gifts, hospitality and honours
category-elections = Political activity and elections
category-hr-grievance = A personnel or HR grievance
category-workplace-dispute = A dispute at work
category-other = Something else

## The report form

report-title = Make a report
advice-title = Ask for confidential advice
form-errors-title = Please check the form
form-files-again = For your safety, files are not kept when the form is shown again: please choose them again.
form-required-note = Fields marked with an asterisk (*) are required. Everything is encrypted before it is stored.
form-channel-legend = Who should read this? (required)
form-channel-hint = Each choice is read only by the people it names: what you send, your files and your later messages are encrypted so that only they can open them.
form-channel-takes = Types of misconduct it takes: { $list }
form-required = required
form-category-legend = Type of misconduct (choose all that apply)
form-topic-legend = Advice topic (if you are asking for advice)
form-description-label = What happened, or what would you like advice on?
form-description-hint = Who did what, and how you know. Leave out anything that would identify you, unless you want to be identified.
form-when-label = When did it happen?
form-where-label = Where did it happen?
form-people-label = Who was involved, or who saw it?
form-contact-label = How can the office contact you? (optional)
form-contact-hint = Leave this empty to stay anonymous. You can always read replies with your receipt code.
form-attachment-label = Evidence (optional, several files allowed)
form-attachment-hint = Up to { $size } in all. Remove hidden information from documents and photos first.
form-submit = Send securely

## Problems with what was typed

problem-kind-missing = Choose whether you are reporting misconduct or asking for advice.
problem-kind-unknown = Choose one of the two kinds offered.
problem-category-unknown = Choose only among the types of misconduct or advice topics listed.
problem-description-empty = Describe what happened, or what you would like advice on.
problem-message-empty = Write a message or choose a file to send.
problem-too-many-files = Send at most 100 files at once; send the rest in a follow-up message.
problem-channel-missing = Choose who should read your report.
problem-channel-unknown = Choose one of the recipients listed.

## The receipt

receipt-title = Your report was received
receipt-intro = This is your receipt code. It is the only way to read the office's replies and to send more information. It is shown only once and cannot be recovered.
receipt-code-label = Your receipt code:
receipt-keep-title = Keep it safe
receipt-keep-paper = Write it down on paper and keep it where only you can reach it, or learn it by heart.
receipt-keep-device = Do not store it on a work device, in an e-mail or in a photo.
receipt-keep-who = Anyone who has this code can read the office's replies to you (but never your own report).
receipt-keep-print = You can print this page; use a printer that is not your employer's.
receipt-next-title = What happens next
receipt-next-text = The office will acknowledge your report within 7 days and tell you how it is being handled within 3 months. Come back to the follow-up page, type your code and read its replies.
receipt-followup-link = Go to the follow-up page
receipt-switch-note = Show this page in another language (your code stays the same):

## Following up

login-title = Follow up on a report
login-intro = Type the receipt code you were given. Capital or small letters, spaces and dashes do not matter.
login-label = Receipt code
login-submit = Open my case
followup-typo-title = Please check the code
followup-typo = One of the characters seems to be mistyped: the code's last character does not match. Check each group carefully.
followup-empty-title = Please type your code
followup-empty = Type the receipt code you were given.
followup-malformed-title = This is not a receipt code
followup-malformed = A receipt code has 25 letters and digits in five groups. Check that you typed all of it.
followup-unknown-title = No case has this code
followup-unknown = The code is well formed, but no case has it. If you copied it correctly, the case may have been closed and removed.
followup-nosession-title = Please type your code again
followup-nosession = For your safety, you are logged out after a few minutes without activity.
followup-ratelimited-title = Too many attempts
followup-ratelimited = Too many codes were tried just now. Please wait a minute and try again.
followup-failed-title = Something went wrong
followup-failed = This service could not open your case just now. Please try again later.

## A case

thread-title = Your case
thread-status = Status:
thread-messages = Messages
thread-own-report = Your report, sent on { $day }
thread-own-recorded = Your report, recorded by the office on { $day }
thread-own-message = Your message, sent on { $day }
thread-status-change = Status changed on { $day }: { $status }
thread-reply = Reply from the ethics office, { $day }
thread-own-hint = Your own report and messages are listed without their content, so that this code alone never reveals what you wrote.
thread-send-title = Send more information
thread-message-label = Your message
thread-files-label = Files (optional)
thread-sent-notice = Your message was sent securely.
thread-logout = Log out
status-received = Received
status-acknowledged = Acknowledged by the ethics office
status-preliminary-review = Under preliminary review
status-investigation = Under investigation
status-closed-substantiated = Closed: the allegations were substantiated
status-closed-unsubstantiated = Closed: the allegations were not substantiated
status-closed-referred = Closed: referred to another office

## Error pages

error-nothing-lost = Nothing you sent before has been lost or changed.
error-back = Go back
error-unreadable-title = The form could not be read
error-unreadable-report = Your browser sent the report in a form this service does not accept. Please use the report form on this site.
error-unreadable-login = Please use the follow-up form on this site.
error-unreadable-message = Please use the message form on your case page.
error-check-title = Please check the form
error-broken = The form arrived incomplete or damaged. Please go back and send it again.
error-too-large-title = What you sent is too large
error-too-large = This service accepts up to { $size } at once. Send fewer or smaller files, or send the rest in follow-up messages.
error-too-long-title = A text is too long
error-too-long = One of the texts is longer than this service accepts. Shorten it, or attach it as a file.
error-not-utf8 = Some of the text was not sent in a form this service can read (UTF-8). Please go back and send it again.
error-busy-title = Too many reports right now
error-busy = The service is receiving many reports at the moment. Please wait a minute and send again.
error-slots-title = The service is busy
error-slots = Many people are sending reports at this moment. Nothing was stored; please wait a minute and send again.
error-stalled-title = The upload stopped
error-stalled = Nothing arrived for a long time, so the upload was stopped and nothing was stored. Please send again; on a slow connection, send large files one at a time in follow-up messages.
error-head-too-large-title = The request was too large to read
error-head-too-large = Your browser sent more header data than this service accepts, so nothing was read or stored. Please close other tabs of this site, or restart the browser, and try again.
error-disk-title = The service cannot take files right now
error-disk = This server is short of space, so nothing was stored. Please try again later.
tor2web-title = This connection does not protect you
tor2web = You reached this site through a Tor2web proxy. Such a proxy sees everything you send and can tell who you are. Nothing was sent. Please install Tor Browser from torproject.org and come back with it.
error-store-title = Your report could not be stored
error-store = Something went wrong on this server, and what you sent was not stored. Please try again later.
error-not-found-title = Page not found
error-not-found = There is no page at this address.
