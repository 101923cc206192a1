//! `--help` in Chinese: the interface's default language is Chinese, so the command line's help
//! is too (`--lang en` or `YIMEN_LANG=en` gives the English). Each English help text of the
//! command tree has its Chinese here; a test walks the whole tree so nothing new is left in
//! English, and clap's own words (Usage, Options, Commands, help, version) are put in Chinese
//! by the same pass.

use clap::{Arg, ArgAction, Command};

/// English help text → Chinese.
const ZH: &[(&str, &str)] = &[
    (
        "The hall's kiosks and rating pads: pair one, list them, revoke one (on the hall's file)",
        "大厅的取号机和评价器：配对、列出、停用（在数据库所在电脑上）",
    ),
    (
        "Make a one-time code (valid 30 minutes) to type once on a kiosk or a window's pad (admin)",
        "生成一次性配对码（30 分钟内有效），在取号机或窗口评价器上输入一次（管理员）",
    ),
    ("kiosk (取号机) or pad (评价器)", "kiosk（取号机）或 pad（评价器）"),
    (
        "The window a pad faces (its visits are the ones it rates); not for a kiosk",
        "评价器面对的窗口（它只评价这个窗口办结的业务）；取号机不填",
    ),
    ("What the hall calls it (default: from its window or its number)", "设备名称（默认按窗口或编号命名）"),
    ("Every device with its kind, window and state (supervisor)", "全部设备及其类型、窗口和状态（大厅负责人）"),
    ("Stop a device at once: its pairing ends, its record stays (admin)", "立即停用设备：配对失效，记录保留（管理员）"),
    ("The device's number from `yimen device list`", "设备编号（`yimen device list` 可查）"),
    (
        "Also send the hall's records to the town's PostgreSQL, continuously, while the link is up (as `yimen sync --to`; password from PGPASSWORD or the URL)",
        "同时把本大厅的记录持续同步到镇里的 PostgreSQL（链路通时每隔几秒一次，与 `yimen sync --to` 相同；密码取自 PGPASSWORD 或地址）",
    ),
    ("Seconds between syncs with --sync-to", "--sync-to 时两次同步之间的秒数"),
    (
        "Send this hall's records to the town's PostgreSQL (admin, on the file itself): the audit chain from where the last sync stopped, and the records it touched, personal data masked",
        "把本大厅的记录发送到镇里的 PostgreSQL（管理员，在数据库所在电脑上）：从上次停下处起的审计链，以及涉及的办件记录（个人信息已遮挡）",
    ),
    (
        "The town database, postgres://user@host[:port]/db (password from PGPASSWORD or the URL; never printed); default: YIMEN_TOWN_URL",
        "镇数据库地址 postgres://用户@主机[:端口]/库名（密码取自 PGPASSWORD 或地址，从不显示）；默认取 YIMEN_TOWN_URL",
    ),
    ("The town's view of its halls, from its PostgreSQL", "镇里看各大厅（读镇的 PostgreSQL）"),
    (
        "Every hall with its events received, its last sync and its lag (a hall silent for more than a day is marked), and how many flags it has",
        "每个大厅：已收到的事件数、上次同步时间和间隔（超过一天未同步的会标出）、问题标记数",
    ),
    ("The town database (default: YIMEN_TOWN_URL)", "镇数据库地址（默认取 YIMEN_TOWN_URL）"),
    (
        "The problems the town found in a hall's records: chain gaps or mismatches, records changed outside yimen",
        "镇里在某个大厅的记录中发现的问题：审计链缺失或不一致、在一门之外被改动的记录",
    ),
    ("The hall's code", "大厅的区划代码"),
    ("The resolved ones too, with their resolutions", "连同已处理的标记及其处理说明"),
    (
        "Mark a flag resolved, saying what was found and decided (it is kept, with the note)",
        "把一个问题标记设为已处理，并说明查明了什么、如何处理（标记和说明都保留）",
    ),
    ("The flag's number (`yimen town flags CODE`)", "标记的编号（`yimen town flags 代码` 可查）"),
    ("What was found and decided", "查明的情况和处理决定"),
    (
        "Accept a hall's history as it now stands (restored from an older backup, or refused as another hall after losing its secret): the town's copy of the hall is set aside (kept in town.superseded_events) and the hall sends its whole history again at its next sync",
        "接受大厅现有的历史（大厅用较早的备份恢复过，或丢了密钥被当成另一个大厅而被拒）：镇里该大厅的副本被移到一边（保存在 town.superseded_events），大厅下次同步时重新送来全部历史",
    ),
    (
        "Why (kept with the set-aside history and on the resolved flags)",
        "原因（与移到一边的历史和已处理的标记一起保存）",
    ),
    (
        "The town's daily report: each hall's own daily figures, open, overdue and due-soon cases, ratings and follow-ups per hall, the sums by category and item, the year's one-window cases; halls silent for more than a day marked (default: today)",
        "镇日报：各大厅按自己口径的当日数字，各大厅的在办、超期、将到期件，评价和待回访，分类别、分事项的合计，本年一门式受理件数；超过一天未同步的大厅会标出（默认今天）",
    ),
    (
        "The town's period report: each hall's own period figures, the sums by category, item and day, the 诉求/纠纷 cases opened and closed",
        "镇周期报告：各大厅按自己口径的周期数字，分类别、分事项、逐日的合计，诉求/纠纷件的新增和办结",
    ),
    (
        "The town's reports, every hall's figures by the hall's own definitions",
        "镇里的报告：各大厅的数字都按大厅自己的口径统计",
    ),
    (
        "The paper: a4, 80mm or 58mm (default: a4 for notices, 80mm for the queue ticket)",
        "纸张：a4、80mm 或 58mm（默认：告知书类 a4，排队号票 80mm）",
    ),
    (
        "Send it to the printer set by `config set printer` (a roll to `receipt_printer`); the PDF is saved whatever happens",
        "发送到 `config set printer` 设置的打印机（卷纸发到 `receipt_printer`）；无论是否打印成功，PDF 都会保存",
    ),
    (
        "Print a ticket's paper: by default the one it calls for (the receipt 受理回执, the one-time notice, or the 补正告知书 of a case suspended for materials)",
        "打印办件的文书：默认打印它应有的那一份（受理回执、一次性告知单，或因待补正挂起的补正告知书）",
    ),
    (
        "Which paper: receipt, notice, supply-notice (补正告知书), deferral-notice (容缺受理通知书) or queue-ticket (排队号票)",
        "哪一份：receipt 受理回执、notice 一次性告知单、supply-notice 补正告知书、deferral-notice 容缺受理通知书、queue-ticket 排队号票",
    ),
    (
        "CSV for a spreadsheet: headers and values in the interface language, long digit strings kept as text, UTF-8 with a byte-order mark",
        "给电子表格用的 CSV：表头和取值用界面语言，长数字串（身份证号、电话）保持为文本，带 BOM 的 UTF-8",
    ),
    (
        "Send the PDF to the printer set by `config set printer` (saved whatever happens)",
        "把 PDF 发送到 `config set printer` 设置的打印机（无论是否打印成功都会保存）",
    ),
    (
        "Set hall, utc_offset, follow_up_days, hall_phone, backup_keep, printer, receipt_printer, hall_code, town_personal_data, the board's voice (board_call_text, board_call_repeat, board_quiet_hours, board_call_name) or kiosk_print",
        "设置 hall、utc_offset、follow_up_days、hall_phone、backup_keep、printer、receipt_printer、hall_code、town_personal_data、叫号屏语音（board_call_text、board_call_repeat、board_quiet_hours、board_call_name）或 kiosk_print",
    ),
    (
        "The setting: hall, utc_offset, follow_up_days, hall_phone, backup_keep, printer (the A4 printer's name, `lpstat -p`), receipt_printer (the receipt roll's), hall_code (the 12-digit statistical division code the town knows the hall by), town_personal_data (masked, the default, or full: what of the citizens' data the town's copy holds), board_call_text (what the board says, with {number}, {window}, {name}), board_call_repeat (1–3), board_quiet_hours (e.g. 12:00-14:00), board_call_name (none or masked) or kiosk_print (browser: the kiosk's own printer; server: the hall's receipt printer)",
        "设置项：hall（大厅名称）、utc_offset（时区）、follow_up_days（差评回访工作日）、hall_phone（咨询电话）、backup_keep（保留备份份数）、printer（A4 打印机名称，`lpstat -p` 可查）、receipt_printer（小票打印机名称）、hall_code（镇里认大厅用的 12 位统计用区划代码）、town_personal_data（masked 遮挡，默认；full 完整：镇里的副本保存群众个人信息的程度）、board_call_text（叫号语，可含 {number}、{window}、{name}）、board_call_repeat（朗读遍数 1–3）、board_quiet_hours（静音时段，如 12:00-14:00）、board_call_name（none 不叫姓名；masked 叫遮挡后的姓名）或 kiosk_print（browser 由取号机自己的打印机打印号码单；server 由服务器在大厅的小票打印机上打印）",
    ),
    (
        "Text (for the screen or a receipt printer) or PDF (print-ready); default: from the --out file's extension (.pdf), else text",
        "文本（屏幕或小票打印机）或 PDF（可直接打印）；默认按 --out 文件的扩展名（.pdf），否则为文本",
    ),
    (
        "The output format; default: from the --out file's extension (.pdf, .xlsx, .csv, .md, .json), else CSV with --excel, else text",
        "输出格式；默认按 --out 文件的扩展名（.pdf、.xlsx、.csv、.md、.json），否则有 --excel 时为 CSV，再否则为文本",
    ),
    (
        "The file format; default: from the --out file's extension (.xlsx, .jsonl), else CSV",
        "文件格式；默认按 --out 文件的扩展名（.xlsx、.jsonl），否则为 CSV",
    ),
    ("A missing material (repeat for each)", "所缺的一项材料（每项写一次）"),
    (
        "A missing material (repeat for each; required with --reason materials)",
        "所缺的一项材料（每项写一次；--reason materials 时必填）",
    ),
    ("A month, YYYY-MM; `--month` alone means this month", "某月，YYYY-MM；只写 `--month` 表示本月"),
    (
        "A non-key material accepted as missing, to bring by the make-good date (repeat)",
        "容缺的非必备材料，须在补齐日期前补交（每项写一次）",
    ),
    (
        "A year's days off and make-up working days, and whether they are official or estimated",
        "某年的放假日和调休上班日，以及是官方安排还是预估",
    ),
    (
        "Accept the case (受理); with --defer, accept with materials to bring later (容缺受理)",
        "受理办件；加 --defer 为容缺受理（材料稍后补交）",
    ),
    ("Add an account; its PIN comes from YIMEN_NEW_PIN or a prompt", "新建账号；PIN 取自 YIMEN_NEW_PIN 或提示输入"),
    (
        "Address to listen on; the default serves this PC only. Give 0.0.0.0:7878 to serve the hall's network",
        "监听地址；默认只服务本机。写 0.0.0.0:7878 为大厅局域网服务",
    ),
    ("Also save it to this file", "同时保存到这个文件"),
    ("Applicant's name", "申请人姓名"),
    ("Applicant's resident ID number (18 digits, or 15 for an old card)", "申请人居民身份证号码（18 位，旧证 15 位）"),
    ("At most this many rows for --open (1–10000)", "--open 时最多显示多少行（1–10000）"),
    (
        "Build a demo database with a realistic history (a separate file, never the hall's own)",
        "生成带模拟历史的演示数据库（单独的文件，不会动大厅的正式数据）",
    ),
    (
        "Build it again even if it holds practice (otherwise practice is kept and opened)",
        "即使已有练习记录也重新生成（否则保留练习记录并直接打开）",
    ),
    ("Call a called ticket again (up to 3 times)", "重呼已叫的号（最多 3 次）"),
    (
        "Call first: elderly, disability, pregnant or military (80+ is set from the ID number)",
        "优先办理：80岁以上老人、残疾人、孕妇、军人（80 岁以上按身份证自动设置）",
    ),
    (
        "Call the next waiting ticket to a window (priority first, then the oldest)",
        "叫下一位到窗口（先优先，再按先来后到）",
    ),
    (
        "Categories this window calls (letters or names, comma-separated; default all)",
        "本窗口叫号的业务类别（字母或名称，逗号分隔；默认全部）",
    ),
    (
        "Change a PIN or password (your own, or anyone's as admin); from YIMEN_NEW_PIN or a prompt",
        "修改 PIN 或密码（自己的；管理员可改任何人的）；取自 YIMEN_NEW_PIN 或提示输入",
    ),
    (
        "Check the whole file: redb's page checksums, the audit chain and every ticket record against the chain (supervisor)",
        "检查整个数据库文件：页校验、审计链，以及每条办件记录与审计链是否一致（大厅负责人）",
    ),
    (
        "Clerk accounts: add, list, change a PIN, disable, unlock (admin)",
        "工作人员账号：新建、列出、改 PIN、停用、解锁（管理员）",
    ),
    ("Complete a case (办结); an on-the-spot item may complete straight from a call", "办结；即办件可以叫号后直接办结"),
    (
        "Correct a mistyped detail (更正): the applicant's or the proxy's name, ID number, phone or village; the history keeps the value before and after, and the reason",
        "更正录错的信息：申请人或代办人的姓名、身份证号、电话、村；办理过程保留更正前后的值和原因",
    ),
    ("Create the database (or name the hall of an existing one)", "创建数据库（或为已有数据库设置大厅名称）"),
    (
        "Draw borders with plain ASCII (for old consoles that draw box lines double width)",
        "用普通字符画边框（老式控制台把边框画成双倍宽时用）",
    ),
    ("End a 容缺 case whose make-good date passed without the materials", "终止过了补齐日期仍未补交材料的容缺办件"),
    ("Every accepted, suspended or transferred case, by deadline", "所有办理中、挂起、转办的办件，按办结期限排列"),
    ("Every item with its code, category, kind and promised days", "全部事项：代码、类别、即办/承诺、承诺天数"),
    ("Everything about one ticket, with its full history", "一件办件的全部信息和完整办理过程"),
    (
        "Find tickets by number, name, ID number, phone (or their last 4 digits), village or pinyin initials",
        "按号码、姓名、身份证号、电话（或后四位）、村名、拼音查找办件",
    ),
    ("First day, YYYY-MM-DD", "第一天，YYYY-MM-DD"),
    ("First day, YYYY-MM-DD (default: the last day)", "第一天，YYYY-MM-DD（默认：最后一天）"),
    (
        "Full ID numbers instead of masked ones (supervisor; recorded in the audit chain)",
        "导出完整身份证号而不是遮挡的（大厅负责人；记入审计链）",
    ),
    (
        "Give the one-time notice (一次性告知) of every missing material; the visit ends",
        "出具一次性告知单，写明所缺全部材料；本次来访结束（已告知未受理）",
    ),
    (
        "Give the space of rewritten pages back to the disk (admin; a large file takes a while)",
        "整理数据库，把空出的空间还给磁盘（管理员；文件大时需要一段时间）",
    ),
    ("Hall settings: show, or set one", "大厅设置：查看，或修改一项"),
    ("Hand a case to another clerk (supervisor)", "把办件改派给另一位工作人员（大厅负责人）"),
    ("Hours a sign-in lasts", "一次登录的有效小时数"),
    (
        "Import a holidays file (data/holidays.toml's format) with one or more years (admin)",
        "导入节假日文件（data/holidays.toml 的格式，可含多年；管理员）",
    ),
    ("Interface language", "界面语言"),
    ("Last day, YYYY-MM-DD (default: today)", "最后一天，YYYY-MM-DD（默认：今天）"),
    ("Lift a lockout (or re-enable a disabled account)", "解除锁定（或重新启用已停用的账号）"),
    ("Machine-readable JSON output", "输出供程序读取的 JSON"),
    ("Mark a recalled ticket as a no-show (过号)", "把重呼过的号标记为过号"),
    ("Mobile or landline with area code", "手机号或带区号的固定电话"),
    ("One item with its materials", "一个事项及其材料清单"),
    (
        "One row per ticket taken in a period, personal data masked (CSV, JSON Lines or an Excel workbook)",
        "每个办件一行（所选期间取号的），个人信息已遮挡（CSV、JSON Lines 或 Excel 工作簿）",
    ),
    ("Only build the database; do not open the terminal interface", "只生成数据库，不打开界面"),
    (
        "Only these categories (letters or names, comma-separated), e.g. A,B",
        "只叫这些类别（字母或名称，逗号分隔），如 A,B",
    ),
    (
        "Print a ticket's slip: the receipt (受理回执), or the notice for a notice-closed visit",
        "打印凭条：受理回执、补正告知书，或一次性告知单",
    ),
    ("Proxy's name (代办人), when someone files for the applicant", "代办人姓名（替申请人办理时）"),
    (
        "Put a backup back as the database (checked first; the replaced file is kept)",
        "用备份恢复数据库（先校验；被替换的文件会保留）",
    ),
    ("Put a no-show back in the queue", "把过号的号重新排队"),
    (
        "Read the PIN or password from the first line of standard input (else YIMEN_PIN, else a prompt on the terminal)",
        "从标准输入的第一行读取 PIN 或密码（否则取 YIMEN_PIN，再否则在终端提示输入）",
    ),
    (
        "Record a step of a bad rating's follow-up (supervisor): callback, verify, fix, report",
        "记录差评回访的一步（大厅负责人）：回访、核实、整改、反馈",
    ),
    ("Record that a deferred (容缺) material was brought", "记录群众补交了容缺材料"),
    (
        "Record the citizen's rating of a completed ticket (1 very dissatisfied … 5 very satisfied)",
        "记录群众对已办结办件的评价（1 非常不满意 … 5 非常满意）",
    ),
    ("Refuse the case (不予受理/不予批准), with a written reason", "不予受理／不予批准，须写明原因"),
    ("Reopen a completed case (supervisor), with a reason", "重新办理已办结的办件（大厅负责人），须写原因"),
    ("Replace an existing database", "替换已有的数据库"),
    (
        "Replace the catalog with a TOML file (see data/catalog.toml)",
        "用 TOML 文件替换事项清单（格式见 data/catalog.toml）",
    ),
    ("Reports: the end-of-day summary, or a week/month/period report", "报表：每日日报，或周、月、任意时段报表"),
    ("Resume a suspended case; the clock runs again", "恢复办理挂起的办件；重新计算时限"),
    (
        "Run the hall server: this PC owns the database and serves every window over HTTP/JSON (docs/api.md). Stops on Ctrl-C",
        "运行大厅服务：本机持有数据库，通过 HTTP/JSON 为各窗口服务（docs/api.md）。按 Ctrl-C 停止",
    ),
    ("Send a case up to a county department", "转办到县级部门"),
    (
        "Show ID numbers and phones whole (recorded in the audit chain; otherwise the text shows them masked for every role, and `--json` masks them for clerks)",
        "显示完整的身份证号和电话（记入审计链；否则文字输出对所有人遮挡，--json 对窗口工作人员遮挡）",
    ),
    ("Suspend an accepted case; the deadline clock pauses", "挂起办件；暂停计算时限"),
    ("Take a queue number for an item (prints the number and the ticket id)", "为某个事项取号（显示号码和办件编号）"),
    (
        "Test helper: seconds a sign-in lasts (overrides --session-hours)",
        "测试用：一次登录的有效秒数（代替 --session-hours）",
    ),
    (
        "Test helper: take numbers forever, printing each acknowledged ticket (the crash test)",
        "测试用：不停取号并打印每个已确认的办件（断电测试）",
    ),
    (
        "That department's own limit in working days (the deadline moves to it)",
        "该部门的办理时限（工作日；办结期限随之调整）",
    ),
    ("The audit chain of every event", "全部事件的审计链"),
    ("The citizen withdraws", "群众撤回申请"),
    ("The clerk doing the action (recorded in every event)", "操作的工作人员（记入每条记录）"),
    (
        "The database file (default: yimen.redb in the platform's data directory)",
        "数据库文件（默认：系统数据目录下的 yimen.redb）",
    ),
    ("The day, YYYY-MM-DD", "日期，YYYY-MM-DD"),
    ("The department, e.g. 县民政局", "部门，如 县民政局"),
    (
        "The display board for a screen facing the hall (叫号屏): the latest calls in big letters and how many wait; numbers and windows only, never a name; no sign-in. `--json` prints it once",
        "面向大厅的叫号屏：大字显示最新叫号和等候人数；只显示号码和窗口，从不显示姓名；不需要登录。--json 只输出一次",
    ),
    ("The end-of-day summary a supervisor signs (default: today)", "大厅负责人签字的每日日报（默认：今天）"),
    (
        "The first admin's name (default: --clerk); the password comes like a PIN",
        "第一个管理员的姓名（默认：--clerk）；密码的输入方式与 PIN 相同",
    ),
    ("The hall's UTC offset (default +08:00)", "大厅所在时区（默认 +08:00）"),
    ("The hall's name, printed on slips and reports", "大厅名称，印在凭条和报表上"),
    (
        "The holiday calendar: show a year, or import the State Council's arrangement for one",
        "节假日日历：查看某年，或导入国务院的放假安排",
    ),
    (
        "The item, when the number was taken for the wrong one (a catalog code)",
        "事项（取号时选错事项时更正，写事项代码）",
    ),
    (
        "The item: its code (see `yimen catalog list`) or its exact name",
        "事项：代码（见 yimen catalog list）或完整名称",
    ),
    ("The right value (empty: clear the field)", "正确的内容（空：清除这一项）"),
    (
        "The service catalog: list, show one item, or import a replacement",
        "事项清单：列出、查看一个事项，或导入新的清单",
    ),
    (
        "The ticket: its id, today's number such as A012, or 2026-11-29/A012",
        "办件：办件编号、今天的号码（如 A012）或 2026-11-29/A012",
    ),
    (
        "The week (Monday to Sunday) holding this day; `--week` alone means the last full week (the one before this week)",
        "包含这一天的一周（周一至周日）；只写 --week 表示上一个完整的周",
    ),
    ("The window calling, e.g. 3", "叫号的窗口，如 3"),
    ("The window this desk serves (the terminal interface)", "本机的窗口号（界面用）"),
    ("The year (default: this year)", "年份（默认：今年）"),
    (
        "Tickets of a day (default today), or every open case by deadline",
        "某天的办件（默认今天），或按期限列出全部在办件",
    ),
    ("Tickets per day (1–5000)", "每天的取号数（1–5000）"),
    ("Today's waiting queue in call order", "今天的等候队列，按叫号顺序"),
    (
        "Totals over a period with the day-by-day trend and the 诉求/纠纷 cases",
        "一段时间的合计、逐日趋势和诉求／纠纷件",
    ),
    ("Village or community", "村（社区）"),
    (
        "Walk the whole chain: OK with the count and head hash, or the first broken link",
        "核对整条审计链：完好时给出条数和链头哈希，否则指出第一处断开",
    ),
    (
        "Work through the hall server at this address (e.g. http://192.168.1.10:7878) instead of a database file on this PC",
        "通过这个地址的大厅服务器工作（如 http://192.168.1.10:7878），而不是本机的数据库文件",
    ),
    ("Working days of history (1–5000)", "模拟历史的工作日数（1–5000）"),
    (
        "Write a checked copy of the database (default: backups/ beside it)",
        "写一份校验过的数据库备份（默认：数据库旁的 backups/）",
    ),
    ("Write to this file instead of the screen", "写到这个文件，而不是屏幕"),
    ("Print this message or the help of the given subcommand(s)", "显示本帮助，或指定命令的帮助"),
    ("A note kept in the history", "备注，记入办理过程"),
    ("A note kept in the history, e.g. 已发放", "备注，记入办理过程，如 已发放"),
    ("The deferred material brought (its name on the case)", "补交的容缺材料（办件上的名称）"),
    (
        "The rating: 1 very dissatisfied, 2 dissatisfied, 3 fairly, 4 satisfied, 5 very satisfied",
        "评价：1 非常不满意，2 不满意，3 基本满意，4 满意，5 非常满意",
    ),
    ("The citizen's words, if any", "群众的意见（如有）"),
    ("The next step: callback, verify, fix, report", "下一步：callback 回访、verify 核实、fix 整改、report 反馈"),
    ("What was done in this step", "这一步做了什么"),
    ("The clerk who takes the case over", "接手办件的工作人员"),
    (
        "A number, a name, an ID number or phone (or the last 4 digits), a village, or pinyin",
        "号码、姓名、身份证号或电话（或后四位）、村名，或拼音",
    ),
    ("Its new value", "新的值"),
    ("The reason, in words the citizen is told", "原因（告诉群众的话）"),
    ("The proxy's phone", "代办人电话"),
    ("The proxy's resident ID number", "代办人身份证号码"),
    ("A note kept with the ticket", "备注，随办件保存"),
    ("Which detail", "更正哪一项"),
    (
        "Why: materials (待补正), notice (公示中) or assessment (鉴定评审)",
        "原因：materials 待补正、notice 公示中、assessment 鉴定评审",
    ),
    ("At most this many tickets", "最多显示多少件"),
    ("Where to write the copy", "备份写到哪里"),
    ("The backup file", "备份文件"),
    ("The item's code, e.g. MZ01", "事项代码，如 MZ01"),
    ("The TOML file", "TOML 文件"),
    ("Only tickets in this state", "只列出这个状态的办件"),
    ("The random seed (the same seed builds the same history)", "随机种子（同一个种子生成同样的历史）"),
    ("The clerk's name, as it shows on the sign-in screen", "工作人员姓名（登录画面上显示的名字）"),
    (
        "clerk (窗口工作人员), supervisor (大厅负责人) or admin (管理员)",
        "clerk 窗口工作人员、supervisor 大厅负责人或 admin 管理员",
    ),
    ("Every account with its role and state", "全部账号及其角色和状态"),
    ("The account", "账号"),
    ("Disable an account (its history stays; it can no longer sign in)", "停用账号（历史记录保留；不能再登录）"),
    ("Why it is corrected (kept in the history)", "更正原因（记入办理过程）"),
];

/// The Chinese of `en`, when there is one.
pub fn zh(en: &str) -> Option<&'static str> {
    ZH.iter().find(|(e, _)| *e == en).map(|(_, z)| *z)
}

/// The command tree with its help in Chinese: every about and argument help from the table,
/// and clap's own headings and flags in Chinese. Texts without a translation stay as they are.
pub fn localize(cmd: Command) -> Command {
    let mut cmd = cmd
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("命令")
        .next_help_heading("选项")
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助"));
    if cmd.get_version().is_some() {
        cmd = cmd
            .disable_version_flag(true)
            .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("显示版本"));
    }
    if let Some(about) = cmd.get_about().and_then(|a| zh(&a.to_string())) {
        cmd = cmd.about(about);
    }
    if let Some(about) = cmd.get_long_about().and_then(|a| zh(&a.to_string())) {
        cmd = cmd.long_about(about);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| {
            let heading = if a.is_positional() { "参数" } else { "选项" };
            let a = a.help_heading(heading);
            match a.get_help().and_then(|h| zh(&h.to_string())) {
                Some(h) => a.help(h),
                None => a,
            }
        });
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, localize);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every help text of the whole command tree has its Chinese (a new command or option
    /// without one fails here).
    #[test]
    fn every_help_text_has_its_chinese() {
        use clap::CommandFactory;
        fn walk(c: &Command, missing: &mut Vec<String>) {
            let texts =
                c.get_about().into_iter().chain(c.get_arguments().filter_map(|a| a.get_help())).map(|t| t.to_string());
            for t in texts {
                // The program's own about is bilingual already.
                if zh(&t).is_none() && !t.starts_with("一门") {
                    missing.push(t);
                }
            }
            for s in c.get_subcommands() {
                walk(s, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&crate::cli::Cli::command(), &mut missing);
        assert!(missing.is_empty(), "help without Chinese: {missing:#?}");
        // And every argument says what it is for, in both languages.
        fn undocumented(c: &Command, path: &str, out: &mut Vec<String>) {
            for a in c.get_arguments().filter(|a| !a.is_hide_set() && a.get_help().is_none()) {
                out.push(format!("{path} {}", a.get_id()));
            }
            for s in c.get_subcommands() {
                undocumented(s, &format!("{path} {}", s.get_name()), out);
            }
        }
        let mut bare = Vec::new();
        undocumented(&crate::cli::Cli::command(), "yimen", &mut bare);
        assert!(bare.is_empty(), "arguments without help: {bare:#?}");
    }
}
