# candor 举报网站：简体中文。
# 键名和 { $变量 } 与 en.ftl 完全一致。用“您”，语气平和、清楚，告诉对方该怎么做，不责怪写信的人。

## 每个页面

skip-link = 跳到主要内容
demo-banner = 本服务器使用的是 candor 自带的公开演示密钥，任何人都能读到发送到这里的内容。请不要提交任何真实的举报。
tagline = 保密举报渠道
lang-switch = 语言
nav-label = 网站导航
nav-home = 首页
nav-report = 提交举报
nav-advice = 寻求咨询
nav-followup = 查看进展
footer-privacy = 本网站不使用 JavaScript，也不从其他网站加载任何内容。只有在您用回执码登录期间才会设置 Cookie，离开后即清除。
size-mb = { $n } MB
size-gb = { $n } GB

## 首页

index-title = 安全地举报不当行为
index-lead = 您可以向道德操守办公室反映不当行为，或请它提供保密咨询，无需透露姓名。
index-what-title = 可以举报哪些事情
index-advice-intro = 在采取行动之前，您也可以寻求保密咨询，例如关于：
index-advice-link = 寻求保密咨询
index-protect-title = 您受到保护，免遭报复
index-protect-text = 对善意举报不当行为的人或配合调查的人进行报复，本身就是不当行为。如果您因为举报而受到不公正对待，也请在这里告诉我们：办公室可以建议采取措施保护您。
index-anon-title = 我们如何保护您的匿名身份
index-anon-encrypted = 您发送的所有内容在保存之前都会在本服务器上加密，所用的密钥服务器本身并不持有。只有道德操守办公室能在一台从不联网的电脑上读取这些内容。
index-anon-no-logs = 本服务不记录您的 IP 地址、浏览器或访问时间，只记录举报送达的日期。
index-anon-receipt = 您不需要注册账户，而是会得到一个回执码。请务必保密：凭它可以阅读办公室的回复，并补充更多信息。
index-keep-title = 如何保持匿名
index-keep-tor = 请在个人设备上使用 Tor 浏览器（Tor Browser）。
index-keep-network = 不要使用单位的电脑或手机，也不要使用雇主的网络或 VPN：它们可能受到监控。
index-keep-metadata = 文件和照片中带有隐藏信息：作者、设备、日期，有时还有拍摄地点。附上文件之前，请先删除这些信息（例如使用删除元数据的工具，或对文件截图），或者只描述其中的内容。
index-keep-details = 除非您希望办公室知道您是谁，否则不要写出只有您才知道的细节。
index-next-title = 接下来会怎样
index-next-ack = 办公室会在 7 天内确认收到您的举报。
index-next-feedback = 3 个月内，办公室会告诉您举报的处理情况。
index-next-followup = 我们不会发送电子邮件：请回到本网站，用回执码登录，阅读办公室的回复并回答它的问题。
index-contact-title = 联系办公室的其他方式
index-external-title = 向办公室以外的机构举报
index-external-intro = 您也可以向以下机构反映：
index-start-label = 开始
action-report = 提交举报
action-advice = 寻求咨询
action-followup = 我有回执码

## 不当行为类别和咨询主题

category-conduct = 一般行为标准
category-harassment = 骚扰、性骚扰或滥用职权
category-outside-activities = 外部活动
category-conflict-of-interest = 利益冲突
category-fraud = 欺诈、腐败或滥用资源
category-retaliation = 因举报而遭受报复
category-sexual-exploitation = 性剥削和性虐待
category-gifts = 礼品、款待和荣誉
category-elections = 政治活动和选举
category-hr-grievance = 人事方面的申诉
category-workplace-dispute = 工作中的纠纷
category-other = 其他

## 表单

report-title = 提交举报
advice-title = 寻求保密咨询
form-errors-title = 请检查表单
form-files-again = 为了您的安全，表单重新显示时不会保留已选的文件：请重新选择。
form-required-note = 标有星号（*）的栏目为必填项。所有内容在保存前都会加密。
form-channel-legend = 应由谁阅读？（必填）
form-channel-hint = 每个选项只有其所列人员能够阅读：您发送的内容、文件和后续留言都会加密，只有他们能够打开。
form-channel-takes = 受理的不当行为类别：{ $list }
form-required = 必填
form-category-legend = 不当行为类别（可多选）
form-topic-legend = 咨询主题（如果您是寻求咨询）
form-description-label = 发生了什么事，或者您想咨询什么？
form-description-hint = 谁做了什么，您是如何知道的。除非您愿意，否则请不要写可能暴露您身份的内容。
form-when-label = 事情发生在什么时候？
form-where-label = 事情发生在什么地方？
form-people-label = 涉及哪些人，或者有谁看到了？
form-contact-label = 办公室可以怎样联系您？（选填）
form-contact-hint = 如想保持匿名，请留空。您随时可以凭回执码阅读回复。
form-attachment-label = 证据（选填，可选多个文件）
form-attachment-hint = 总计不超过 { $size }。请先删除文件和照片中的隐藏信息。
form-submit = 安全发送

## 填写中的问题

problem-kind-missing = 请选择您是要举报不当行为，还是寻求咨询。
problem-kind-unknown = 请在所给的两个选项中选择一个。
problem-category-unknown = 请只在列出的不当行为类别或咨询主题中选择。
problem-description-empty = 请描述发生了什么事，或者您想咨询什么。
problem-message-empty = 请写一条留言，或选择要发送的文件。
problem-too-many-files = 一次最多发送 100 个文件；其余文件请在后续留言中发送。
problem-channel-missing = 请选择由谁阅读您的举报。
problem-channel-unknown = 请在所列接收方中选择一个。

## 回执

receipt-title = 我们已收到您的举报
receipt-intro = 这是您的回执码。只有凭它才能阅读办公室的回复和补充信息。它只显示这一次，丢失后无法找回。
receipt-code-label = 您的回执码：
receipt-keep-title = 请妥善保管
receipt-keep-paper = 把它写在纸上，放在只有您能拿到的地方，或者把它记在心里。
receipt-keep-device = 不要把它存在工作设备上、电子邮件里或照片中。
receipt-keep-who = 任何拿到这个回执码的人都能读到办公室给您的回复（但永远看不到您的举报内容）。
receipt-keep-print = 您可以打印本页；请不要使用雇主的打印机。
receipt-next-title = 接下来会怎样
receipt-next-text = 办公室会在 7 天内确认收到您的举报，并在 3 个月内告诉您处理情况。请回到“查看进展”页面，输入回执码，阅读回复。
receipt-followup-link = 前往“查看进展”页面
receipt-switch-note = 用其他语言显示本页（回执码不变）：

## 查看进展

login-title = 查看举报进展
login-intro = 请输入您得到的回执码。大小写、空格和连字符都没有关系。
login-label = 回执码
login-submit = 打开我的案件
followup-typo-title = 请检查回执码
followup-typo = 有一个字符似乎输错了：回执码的最后一个字符对不上。请逐组仔细核对。
followup-empty-title = 请输入回执码
followup-empty = 请输入您得到的回执码。
followup-malformed-title = 这不是回执码
followup-malformed = 回执码由 25 个字母和数字组成，分为五组。请检查是否完整输入。
followup-unknown-title = 没有与此回执码对应的案件
followup-unknown = 回执码格式正确，但没有对应的案件。如果您抄写无误，该案件可能已经结案并被删除。
followup-nosession-title = 请重新输入回执码
followup-nosession = 为了您的安全，几分钟没有操作后会自动退出登录。
followup-ratelimited-title = 尝试次数过多
followup-ratelimited = 刚才尝试的回执码太多了。请等一分钟再试。
followup-failed-title = 出了点问题
followup-failed = 本服务暂时无法打开您的案件。请稍后再试。

## 案件

thread-title = 您的案件
thread-status = 状态：
thread-messages = 往来记录
thread-own-report = 您的举报，发送于 { $day }
thread-own-recorded = 您的举报，由办公室于 { $day } 记录
thread-own-message = 您的留言，发送于 { $day }
thread-status-change = { $day } 状态更新为：{ $status }
thread-reply = 道德操守办公室的回复，{ $day }
thread-own-hint = 您自己的举报和留言只列出发送日期、不显示内容，这样单凭回执码永远看不到您写了什么。
thread-send-title = 补充信息
thread-message-label = 您的留言
thread-files-label = 文件（选填）
thread-sent-notice = 您的留言已安全发送。
thread-logout = 退出登录
status-received = 已收到
status-acknowledged = 道德操守办公室已确认收到
status-preliminary-review = 正在初步审查
status-investigation = 正在调查
status-closed-substantiated = 已结案：指控属实
status-closed-unsubstantiated = 已结案：指控未获证实
status-closed-referred = 已结案：已移交其他部门

## 错误页面

error-nothing-lost = 您之前发送的内容没有丢失，也没有被更改。
error-back = 返回
error-unreadable-title = 无法读取表单
error-unreadable-report = 您的浏览器发送举报的方式不被本服务接受。请使用本网站上的举报表单。
error-unreadable-login = 请使用本网站上的“查看进展”表单。
error-unreadable-message = 请使用案件页面上的留言表单。
error-check-title = 请检查表单
error-broken = 表单送达时不完整或已损坏。请返回后重新发送。
error-too-large-title = 发送的内容太大
error-too-large = 本服务每次最多接受 { $size }。请少发一些文件或发送较小的文件，其余的可以在后续留言中发送。
error-too-long-title = 文字太长
error-too-long = 有一段文字超出了本服务允许的长度。请缩短，或者作为文件附上。
error-not-utf8 = 部分文字的编码本服务无法读取（UTF-8）。请返回后重新发送。
error-busy-title = 目前举报过多
error-busy = 本服务目前收到的举报很多。请等一分钟再发送。
error-slots-title = 服务繁忙
error-slots = 此刻有很多人在提交举报。您的内容没有被保存；请等一分钟再发送。
error-stalled-title = 上传已中断
error-stalled = 很长时间没有收到任何数据，因此上传已停止，没有保存任何内容。请重新发送；如果网络较慢，请在后续消息中逐个发送大文件。
error-head-too-large-title = 请求过大，无法读取
error-head-too-large = 您的浏览器发送的请求头数据超出了本服务接受的范围，因此没有读取或保存任何内容。请关闭本网站的其他标签页，或重新启动浏览器，然后重试。
error-disk-title = 服务暂时无法接收文件
error-disk = 服务器存储空间不足，因此没有保存任何内容。请稍后再试。
tor2web-title = 此连接无法保护您
tor2web = 您是通过 Tor2web 代理访问本网站的。这类代理能看到您发送的全部内容，并可能得知您的身份。目前没有发送任何内容。请从 torproject.org 安装 Tor 浏览器（Tor Browser），再用它访问本网站。
error-store-title = 无法保存您的举报
error-store = 服务器出了问题，您发送的内容没有保存。请稍后再试。
error-not-found-title = 找不到页面
error-not-found = 这个地址没有页面。
