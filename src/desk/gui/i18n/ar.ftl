# candor-desk, the desktop application: Arabic (Modern Standard Arabic).
# The terms follow the reporter site's catalogue (web/i18n/ar.ftl). The
# window orders each line right to left itself; a long message is written
# on several lines, as egui would wrap it before it is ordered.

language = اللغة
cancel = إلغاء
yes = نعم
no = لا

## Unlocking

unlock-title = فتح خزنة المكتب
unlock-intro = اكتب عبارة المرور الخاصة بمفاتيح المكتب السرية مرة واحدة. تحتفظ النافذة بالمفاتيح في الذاكرة إلى أن تُقفَل أو تُغلَق.
unlock-vault = مجلد الخزنة
unlock-keys = مجلد المفاتيح السرية
unlock-passphrase = عبارة المرور
unlock-button = فتح
err-no-keys = اكتب مجلد مفاتيح المكتب السرية.
err-nothing-pending = لا شيء ينتظر الإرسال: لا رد ولا تغيير حالة ولا حالة مسجّلة ولا حذف.
err-bundle-refused = رُفض ملف التصدير ولم تتغير الخزنة. احتفظ بالملف دليلًا وأبلغ مسؤول الخادم.
err-not-found = غير موجود.
err-exists = هذا الملف أو المجلد موجود من قبل؛ اختر اسمًا جديدًا.
err-no-vault = اختر مجلد الخزنة أولًا.
err-wrong-passphrase = عبارة المرور ليست التي تحمي هذه المفاتيح. حاول مرة أخرى.
err-passphrase-needed = هذه المفاتيح محمية بعبارة مرور: اكتبها ثم افتح.
notice-unlocked = فُتحت الخزنة. عدد الحالات فيها: { $cases }.
notice-unlocked-new = فُتحت خزنة جديدة فارغة. افتح ملف تصدير لملئها.
notice-locked = أُقفلت النافذة. حُذفت المفاتيح وكل حالة مفكوكة التشفير من الذاكرة.
notice-idle-locked = أُقفلت النافذة بعد { $minutes ->
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $minutes } دقائق
   *[other] { $minutes } دقيقة
  } دون استعمال. افتحها للمتابعة.

## Menu

nav-inbox = صندوق الوارد
nav-open = فتح ملف تصدير…
nav-record = تسجيل حالة
nav-outbox = كتابة صندوق الصادر…
nav-report = التقرير السنوي
nav-lock = إقفال

## Inbox

inbox-search = بحث
inbox-search-hint = كلمات في أي بلاغ أو رسالة أو رد أو ملاحظة
inbox-count = الحالات المعروضة: { $shown } من { $total }
inbox-empty = لا حالات بعد. افتح ملف تصدير من الخادم لإدخالها.
inbox-open-case = فتح هذه الحالة
inbox-unread = جديد
inbox-starred = مميَّز بنجمة
filter-any = الكل
filter-status = الحالة
filter-kind = النوع
filter-category = الفئة
filter-overdue = المتأخرة فقط
filter-unread = غير المقروءة فقط
filter-starred = المميَّزة بنجمة فقط
filter-sort = الترتيب
sort-newest = الأحدث أولًا
sort-oldest = الأقدم أولًا
sort-deadline = الأكثر إلحاحًا أولًا
sort-status = حسب الحالة
sort-id = حسب رقم الحالة
col-case = الحالة
col-new = علامات
col-kind = النوع
col-categories = الفئات
col-status = الوضع
col-received = تاريخ الوصول
col-channel = القناة
col-deadline = الموعد النهائي

## Deadlines (a word always, never a colour alone)

due-acknowledge = تأكيد الاستلام
due-answer = الرد
due-feedback = إفادة المُبلِّغ بالنتيجة
deadline-overdue = متأخر: { $what } قبل { $day }
deadline-soon = يحين قريبًا: { $what } قبل { $day }
deadline-ok = { $what } قبل { $day }
deadline-done = لا شيء مستحق
deadline-none = للرد (دون موعد نهائي)

## Case view

case-title = الحالة { $case }
case-back = العودة إلى صندوق الوارد
case-star = مميَّزة بنجمة
case-gone = لم تعد هذه الحالة في الخزنة.
field-kind = النوع
field-categories = الفئات
field-status = الوضع
field-received-online = تاريخ الوصول
field-recorded-on = تاريخ التسجيل
field-received-value = { $day } ({ $channel })
field-when = متى
field-where = أين
field-people = الأشخاص المعنيون
field-contact = وسيلة التواصل
field-deadline = الموعد النهائي
field-description = البلاغ
case-thread = المراسلات
thread-report = { $day }: وصل البلاغ
thread-message = { $day }: رسالة من المُبلِّغ
thread-attachments = المرفقات: { $count }، مذكورة أدناه
thread-reply = { $day }: رد من المكتب
thread-status = { $day }: صار الوضع { $status }
thread-pending = ينتظر صندوق الصادر التالي
case-attachments = المرفقات
case-no-attachments = لا مرفقات.
col-name = الاسم
col-type = النوع
col-size = الحجم
col-in-vault = في الخزنة
case-save-files = حفظ ملفات الحالة في مجلد…
save-warning =
    قد تحمل ملفات المُبلِّغين بيانات وصفية تكشف هويتهم (أسماء المؤلفين، مواقع GPS، الأرقام التسلسلية للأجهزة)
    وقد تكون مؤذية (وحدات ماكرو، ثغرات في برامج العرض). لا يفتحها هذا التطبيق أبدًا.
    افتحها على هذا الجهاز غير المتصل فقط، ببرنامج عرض تثق به، ولا تُعِد إرسالها كما هي أبدًا.
save-folder-name = مجلد جديد للحفظ فيه
save-confirm = حفظ الملفات
notice-files-saved = كُتبت الملفات في { $path } (عددها: { $count }).
err-choose-folder = اكتب اسم مجلد جديد للحفظ فيه.
case-reply = الرد على المُبلِّغ
case-send-reply = تسجيل الرد
case-save-draft = الاحتفاظ بمسودة
case-no-online-reporter = وصلت هذه الحالة عبر قناة أخرى دون رمز إيصال: لا أحد على الإنترنت يستطيع قراءة رد.
err-empty-reply = الرد فارغ.
notice-reply-recorded = سُجّل الرد؛ يُرسَل مع صندوق الصادر التالي.
notice-draft-saved = حُفظت المسودة في الخزنة.
case-notes = ملاحظات المكتب (تُحفظ في الخزنة ولا تُرسَل أبدًا)
case-save-notes = حفظ الملاحظات
notice-notes-saved = حُفظت الملاحظات في الخزنة.
case-new-status = الوضع الجديد
case-set-status = تعيين الوضع
notice-status-set = صار الوضع { $status }؛ يراه المُبلِّغ بعد صندوق الصادر التالي.
case-purge = حذف هذه الحالة نهائيًا…
purge-question =
    هل تحذف الحالة { $case } نهائيًا؟ تُزال الآن من هذه الخزنة بلاغها ورسائلها (عددها: { $messages })
    ومرفقاتها (عددها: { $attachments }) والردود والملاحظات، ويُسقط الخادم محتواها عندما يستورد
    صندوق الصادر التالي. لا يمكن التراجع عن ذلك.
purge-confirm = حذف الحالة { $case } نهائيًا
notice-purged = حُذفت الحالة { $case } من الخزنة؛ يُسقطها الخادم بعد صندوق الصادر التالي.

## Statuses, kinds, categories, channels

status-received = وصل
status-acknowledged = أكّد مكتب الأخلاقيات الاستلام
status-preliminary-review = قيد المراجعة الأولية
status-investigation = قيد التحقيق
status-closed-substantiated = أُغلقت: ثبتت صحة الادعاءات
status-closed-unsubstantiated = أُغلقت: لم تثبت صحة الادعاءات
status-closed-referred = أُغلقت: أُحيلت إلى جهة أخرى
kind-misconduct = بلاغ عن سوء سلوك
kind-advice = طلب مشورة
cat-conduct = معايير السلوك العامة
cat-harassment = التحرش
cat-outside-activities = الأنشطة الخارجية
cat-conflict-of-interest = تضارب المصالح
cat-fraud = الاحتيال
cat-retaliation = الانتقام بسبب الإبلاغ
cat-sexual-exploitation = الاستغلال والانتهاك الجنسيان
cat-other = أمر آخر
cat-gifts = الهدايا والضيافة
cat-elections = النشاط السياسي والانتخابات
cat-hr-grievance = تظلّم يتعلق بشؤون الموظفين
cat-workplace-dispute = نزاع في العمل
channel-online = عبر الموقع
channel-recorded = سُجّلت في مكتب آخر
channel-phone = الهاتف
channel-post = البريد
channel-meeting = لقاء
channel-email = البريد الإلكتروني
channel-other = أخرى

## Opening an export

open-title = فتح ملف تصدير من الخادم
open-intro = اختر ملف التصدير المنقول من جهاز النقل. يُتحقَّق منه كاملًا (توقيع الخادم، وسلسلة القيود، وتواقيع المكتب) قبل حفظ أي شيء؛ وإن كان فيه خلل فلا تتغير الخزنة.
open-file = ملف التصدير
open-button = تحقّق وافتح
open-result = نتيجة التحقق
err-choose-bundle = اختر ملف التصدير أولًا.
notice-opened = تُحقِّق من ملف التصدير وفُتح.
opened-verified = { $path } موقَّع بمفتاح الخادم { $key }… ويكمل السجل الذي تعرفه هذه الخزنة حتى القيد { $head }.
opened-pinned = هذا أول ملف تصدير: ثُبِّت مفتاح الخادم الآن، ويجب أن تكون ملفات التصدير اللاحقة موقَّعة به.
opened-new = الجديد: الحالات { $cases }، الرسائل { $messages }، المرفقات { $attachments }؛ عمليات المكتب المؤكَّد وصولها { $delivered }؛ الحالات المحذوفة { $purged }.
opened-new-case = حالة جديدة { $case }
opened-next = في المرة القادمة، اطلب من جهاز النقل /export?after={ $head }.
opened-other-channel = تم تخطي { $entries } من المدخلات الموجهة إلى القناة { $channel } (الحالات: { $cases }): مختومة لمفاتيح تلك القناة، لا لمفاتيح هذا المكتب.
opened-other-default = تم تخطي { $entries } من المدخلات الموجهة إلى القناة الافتراضية للمكتب (الحالات: { $cases }): مختومة لمفاتيحها، لا لمفاتيح هذا المكتب.

## Outbox

outbox-title = صندوق الصادر: ما يعود إلى الخادم
outbox-pending = ينتظر الإرسال: الردود { $replies }، تغييرات الوضع { $statuses }، الحالات المسجّلة { $recorded }، عمليات الحذف { $purges }.
outbox-intro = يُوقَّع صندوق الصادر بمفتاح الموظف المسؤول. انقله إلى جهاز النقل واستورده؛ يبقى ما يحمله معلّقًا هنا إلى أن يُظهر ملف تصدير لاحق أن الخادم تسلّمه، لذا فكتابته مرة أخرى آمنة.
outbox-file = ملف صندوق الصادر
outbox-button = كتابة صندوق الصادر
err-choose-outbox = اكتب اسمًا لملف صندوق الصادر.
notice-outbox-written = كُتب { $path }: الردود { $replies }، تغييرات الوضع { $statuses }، الحالات المسجّلة { $recorded }، عمليات الحذف { $purges }.

## Recording a case

record-title = تسجيل حالة وصلت عبر قناة أخرى
record-kind = النوع
record-categories = الفئات أو المواضيع
record-channel = القناة
record-received = تاريخ الوصول (YYYY-MM-DD)
record-description = ما أُبلغ عنه، بكلماتك
record-issue-receipt = إصدار رمز إيصال ليتمكن الشخص من المتابعة عبر الإنترنت
record-button = تسجيل الحالة
err-bad-date = اكتب التاريخ على صيغة YYYY-MM-DD، مثل 2026-03-02.
notice-recorded = سُجّلت الحالة { $case }.
receipt-title = رمز إيصال الحالة { $case }
receipt-intro = سلِّم رمز الإيصال هذا إلى الشخص على انفراد. لا يُعرض إلا مرة واحدة ولا يُحفظ في أي مكان: به يستطيع قراءة الردود والكتابة إلى المكتب بعد استيراد صندوق الصادر التالي.
receipt-after = عندما يتسلّمه الشخص، اضغط الزر: يختفي رمز الإيصال من هذه النافذة.
receipt-done = سُلِّم رمز الإيصال

## Annual report

report-title = السنة بالأرقام
report-complaints = الشكاوى الواردة
report-multi = شكاوى في فئتين أو أكثر
report-inv-opened = التحقيقات الرسمية المفتوحة
report-inv-closed = التحقيقات الرسمية المُغلقة
report-advice = طلبات المشورة السرّية
report-median-ack = وسيط عدد الأيام حتى تأكيد الاستلام
report-median-close = وسيط عدد الأيام حتى الإغلاق
report-substantiated = الشكاوى المُغلقة بثبوت صحتها
report-year = السنة
report-export-intro = صدِّر الجدول (Markdown، أو HTML لملف ينتهي بـ .html) والرسم البياني (SVG) للتقرير السنوي.
report-file = ملف التقرير
report-export = تصدير التقرير
err-choose-report = اكتب اسمًا لملف التقرير، مثل report-2026.md.
notice-report-written = كُتب { $paths }.

## File chooser

picker-folder = المجلد
picker-up = الصعود مجلدًا واحدًا
picker-empty = (لا شيء هنا)

## Added with the purge view, printing, long operations and errors

nav-purge = الحذف والاحتفاظ…
col-addressed-to = موجَّهة إلى
field-addressed-to = موجَّهة إلى
status-effect-same = للحالة هذا الوضع من قبل.
status-effect-nothing-due = لا موعد مفتوحًا لهذه الحالة؛ الوضع للتوثيق وللمُبلِّغ.
status-effect-acknowledge = تعيينه الآن يفي بموعد تأكيد استلام البلاغ،
status-effect-feedback = تعيينه الآن يفي بموعد إفادة المُبلِّغ بالنتيجة،
status-effect-on-time = في الوقت المحدد (الموعد { $day }).
status-effect-late = متأخرًا (كان الموعد { $day }).
status-effect-feedback-next = وتُستحق الإفادة بالنتيجة بعد ذلك قبل { $day }.
status-effect-answer = تعيينه الآن يجيب عن طلب المشورة.
status-effect-closes = الوضع المُغلَق يُنهي الحالة: لا شيء مستحق بعده.
status-effect-none = لا يفي بأي موعد؛ ما زال مستحقًا: { $still }.
receipt-print = طباعة رمز الإيصال
# The printed page (print-*) stays in English: it is Latin-1 PostScript,
# which has no Arabic letters (English is every catalogue's fallback).
notice-printed = أُرسل رمز الإيصال إلى الطابعة ({ $program }). خذ الورقة من الطابعة الآن.
err-no-printer = لا نظام طباعة على هذا الجهاز (لا lp ولا lpr من CUPS): سلِّم رمز الإيصال من الشاشة، أو انسخه باليد.
err-print-refused = لم تقبل الطابعة الورقة؛ سلِّم رمز الإيصال من الشاشة. قال نظام الطباعة:
err-no-category = اختر فئة أو موضوعًا واحدًا على الأقل.
err-empty-description = اكتب أولًا ما أُبلغ عنه.
purge-title = حذف الحالات المُغلقة والأجزاء المنتظِرة
purge-closed-intro =
    تُعرض كل حالة وضعُها الأخير مُغلَق، عُيِّن قبل اليوم الذي تكتبه (مدة احتفاظ المكتب)، مع ما تحويه؛
    ولا يُحذف شيء قبل أن تؤكد. ويُسقط الخادم ما لديه منها عندما يستورد صندوق الصادر التالي.
purge-closed-before = أُغلقت قبل (YYYY-MM-DD)
purge-find = عرض الحالات
purge-col-closed = تاريخ الإغلاق
col-messages = الرسائل
col-attachments = المرفقات
purge-closed-question =
    هل تحذف نهائيًا هذه الحالات (عددها: { $count }) المُغلقة قبل { $day }؟ تُزال الآن من هذه الخزنة بلاغاتها
    ورسائلها (عددها: { $messages }) ومرفقاتها (عددها: { $attachments }) والردود والملاحظات. لا يمكن التراجع عن ذلك.
purge-closed-confirm = حذف الحالات نهائيًا (عددها: { $count })
notice-none-closed-before = لا حالة أُغلقت قبل { $day }.
notice-purged-closed = حُذفت من الخزنة حالات عددها { $count }؛ ويُسقط الخادم ما لديه منها بعد صندوق الصادر التالي.
parts-title = أجزاء مرفقات تنتظر رسالتها
parts-intro =
    أجزاء من مرفق لم تصل رسالته بعد. تُحذف من تلقاء نفسها بعد بضعة ملفات تصدير؛
    احذفها الآن إن قال مسؤول الخادم إن الرسالة لن تصل أبدًا.
parts-none = لا جزء مرفق ينتظر.
parts-col-drop = حذف
parts-col-id = المرفق
parts-col-exports = ملفات التصدير المنتظَرة
parts-drop-one = حذف الجزء { $id }
parts-drop = حذف الأجزاء المختارة…
parts-question = هل تحذف الأجزاء المنتظِرة (عددها: { $count }، حجمها: { $size })؟ إن وصلت رسالتها لاحقًا فسيكون مرفقها ناقصًا.
parts-confirm = حذف الأجزاء (عددها: { $count })
notice-parts-dropped = حُذفت أجزاء منتظِرة عددها { $count }.
err-detail = التفاصيل:
err-case-not-found = لا توجد حالة { $case } في هذه الخزنة.
err-no-online-reporter = وصلت الحالة { $case } عبر قناة أخرى دون رمز إيصال: لا أحد على الإنترنت يستطيع قراءة رد.
err-missing-key-file = لا يوجد ملف مفتاح في { $path }.
err-key-file = لا يمكن استعمال ملف المفتاح { $path }.
err-key-bad-line = السطر { $line } ليس مفتاحًا صالحًا.
err-key-not-a-key-file = ليس ملف مفاتيح candor.
err-openpgp-file = لا يمكن استعمال ملف مفتاح OpenPGP { $path }.
err-openpgp = لا يمكن استعمال مفتاح OpenPGP.
err-random = أخفق مولّد الأرقام العشوائية في نظام التشغيل؛ لم يتغير شيء.
err-seal = تعذّر التشفير للحالة { $case }؛ لم يُكتب شيء.
err-decrypt = لا يُفك تشفير { $what } بمفاتيح المكتب.
err-bad-entry = تعذّرت قراءة { $what }.
err-entry-refused = رُفض { $what }: لا يستطيع المكتب نسبته إلى المكتب ولا إلى المُبلِّغ.
err-over-limit = يتجاوز أحد حدود المكتب.
err-case-too-large = ستحوي الحالة { $case } عدد { $bytes } بايت، فوق الحد البالغ { $limit }.
err-what-entry = القيد { $seq }
err-what-attachment = المرفق { $attachment } من الحالة { $case }
err-b-not-a-bundle = هذا الملف ليس ملف تصدير من candor.
err-b-truncated = الملف مبتور.
err-b-malformed = الملف تالف أو جرى تعديله.
err-b-wrong-signer = وقّعه مفتاح غير المفتاح المنتظَر.
err-b-old-outbox = كتب هذا الصندوقَ إصدارٌ سابق؛ اكتبه من جديد.
err-b-op-signature = العملية { $op } ليست موقَّعة توقيعًا صالحًا:
err-b-bad-signature = توقيعه غير صالح: جرى تعديله.
err-b-does-not-extend = لا يكمل آخر ملف تصدير فُتح هنا (يبدأ بعد القيد { $after }؛ وقد رأت هذه الخزنة القيود حتى { $seen }).
err-b-server-key-changed = وقّعه مفتاح خادم غير المفتاح المثبَّت عند أول ملف تصدير.
err-b-unreadable = تعذّرت قراءة الملف:
err-log-out-of-sequence = القيد { $seq } في غير موضعه (كان المنتظَر القيد { $expected }).
err-log-broken-chain = القيد { $seq } لا يتبع القيد الذي قبله: جرى تعديل السجل.
err-log-body-mismatch = محتوى القيد { $seq } لا يطابق بصمته: جرى تعديله.
err-log-head-mismatch = الرأس الموقَّع لا يطابق القيود.
err-auth-unsigned = ليس موقَّعًا بمفتاح موظف مسؤول.
err-auth-unknown-signer = موقَّع بمفتاح ليس من مفاتيح التوقيع لدى المكتب.
err-auth-bad-signature = توقيعه لا يطابق محتواه.
err-auth-no-mac = لا يحمل رمز مصادقة (MAC) من المُبلِّغ.
err-auth-bad-mac = رمز مصادقة المُبلِّغ (MAC) فيه لا يطابق.
err-vault-not-found = لا توجد خزنة في { $path }.
err-vault-unreadable = { $path } ليس خزنة يستطيع هذا الإصدار قراءتها.
err-vault-decrypt = لا يُفك تشفير الخزنة في { $path }: هل هذا مفتاح المكتب الذي أُنشئت به؟
err-case-file-mismatch = ملف الحالة { $case } ليس الملف الذي يسمّيه فهرس الخزنة (مستبدَل أو مُعاد إلى نسخة أقدم أو تالف)؛ استعد الخزنة من نسخة احتياطية.
err-io = { $path }: { $reason }
err-io-not-found = لا يوجد ملف أو مجلد بهذا الاسم.
err-io-permission = الإذن مرفوض.
err-io-exists = موجود من قبل.
err-io-full = القرص ممتلئ.
err-io-is-folder = إنه مجلد وليس ملفًا.
err-io-not-folder = جزء من المسار ليس مجلدًا.
err-io-damaged = الملف تالف أو مبتور.
err-io-other = تعذّرت قراءته أو كتابته.
busy-unlocking = جارٍ الفتح: اشتقاق المفتاح من عبارة المرور وفك تشفير الحالات…
busy-opening = جارٍ التحقق من ملف التصدير وفتحه…
busy-writing-outbox = جارٍ كتابة صندوق الصادر…
busy-exporting-report = جارٍ تصدير التقرير…
busy-printing = جارٍ إرسال رمز الإيصال إلى الطابعة…
err-worker-stopped = توقفت العملية على نحو غير متوقع؛ لم تُغيّر الخزنة. حاول مرة أخرى، أو استعمل الأمر نفسه في الطرفية لمعرفة المزيد.
busy-waiting-vault = بانتظار الخزنة: أمر candor-desk في الطرفية يستعملها. تُفتح النافذة حين ينتهي.
