"""`brigade-desk`: the command line over the same services the GUI uses.

Errors for people are printed in Chinese, naming the field, and the command exits non-zero:
1 when a check found a problem (audit verify, backup verify), 2 when the input or the store was
refused. Nothing is written when a command is refused.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from brigade_desk import __version__

EXIT_PROBLEM = 1
EXIT_REFUSED = 2


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, frozenset | set | tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到“{text}”") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brigade-desk",
        description="乡镇综合执法办案台（Brigade Desk）。不带子命令时打开图形界面。",
    )
    parser.add_argument("--version", action="version", version=f"brigade-desk {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="数据目录（默认取环境变量 BRIGADE_DESK_HOME，否则为本机用户数据目录）",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址，默认是数据目录中的 SQLite 文件；多机共用时如 postgresql+psycopg://用户@主机/库",
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令")

    sub.add_parser("gui", help="打开图形界面")

    p = sub.add_parser("init", help="不经图形界面新建存储：执法主体与第一个管理员")
    p.add_argument("--town", required=True, help="执法主体名称，如“青溪镇人民政府”")
    p.add_argument("--area-code", required=True, help="6位行政区划代码，如 330185")
    p.add_argument("--prefix", default="", help="机关代字，如“青综执”（乡镇必填）")
    p.add_argument(
        "--county",
        action="store_true",
        help="建立县级存储：--town 填县级机关名称，--area-code 填县级区划代码（汇总各乡镇数据包）",
    )
    p.add_argument("--admin", required=True, metavar="LOGIN", help="第一个管理员的登录名")
    p.add_argument("--admin-name", default="系统管理员", help="管理员姓名")
    p.add_argument("--admin-password", help="管理员密码（供脚本使用；省略时交互输入）")
    p.add_argument("--credit-code", default="", help="执法主体的统一社会信用代码")
    p.add_argument("--county-name", default="", help="上级县（市、区）人民政府名称")
    p.add_argument("--court", default="", help="所在地基层人民法院名称")

    users = sub.add_parser("users", help="用户管理").add_subparsers(dest="users_command", metavar="操作")
    p = users.add_parser("add", help="新增用户")
    p.add_argument("login", help="登录名")
    p.add_argument("--name", required=True, help="姓名")
    p.add_argument(
        "--roles", default="officer", help="角色，逗号分隔：officer,legal_reviewer,leader,clerk,admin"
    )
    p.add_argument("--password", help="初始密码（省略时交互输入）")
    p.add_argument("--post", default="", help="职务")
    p.add_argument("--certificate-no", default="", help="执法证号")
    p.add_argument("--certificate-from", type=_date, help="执法证有效期起 YYYY-MM-DD")
    p.add_argument("--certificate-to", type=_date, help="执法证有效期止 YYYY-MM-DD")
    p.add_argument("--legal-qualified", action="store_true", help="具有法制审核资格")
    p.add_argument("--leader", action="store_true", help="机关负责人")
    p = users.add_parser("list", help="列出用户")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = users.add_parser("passwd", help="重置用户密码")
    p.add_argument("login")
    p.add_argument("--password", help="新密码（省略时交互输入）")
    for name, text in (("lock", "停用账户"), ("unlock", "启用账户并解除密码锁定")):
        users.add_parser(name, help=text).add_argument("login")

    p = sub.add_parser("demo", help="生成演示数据（可重复：相同种子得到相同数据）")
    p.add_argument("--cases", type=int, required=True, help="案件数量")
    p.add_argument("--seed", type=int, default=1, help="随机种子")

    cases = sub.add_parser("cases", help="案件查询").add_subparsers(dest="cases_command", metavar="操作")
    p = cases.add_parser(
        "search", help="全文检索案件（案号、当事人、证件号、地址、案情，含两字词和拼音首字母）"
    )
    p.add_argument("query", help="检索词")
    p.add_argument("--limit", type=int, default=20, help="最多显示条数（默认 20）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = cases.add_parser("show", help="显示案件、当前环节、尚未满足的条件和期限")
    p.add_argument("case_number", metavar="CASE_NO", help="案号，如 青综执立字〔2026〕第12号")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("deadlines", help="列出逾期、今日到期和即将到期的案件")
    p.add_argument(
        "--due-within", type=int, default=None, metavar="N", help="即将到期的范围（工作日，默认取设置）"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    review = sub.add_parser("review", help="法制审核").add_subparsers(dest="review_command", metavar="操作")
    p = review.add_parser("list", help="审核队列（逾期在前）")
    p.add_argument("--pending", action="store_true", help="只列待审核的")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = review.add_parser("verify", help="核验案件的全部签名及审核是否已失效；有问题时退出码 1")
    p.add_argument("case_number", metavar="CASE_NO")

    sub.add_parser("reindex", help="重建案件检索索引（升级或异常后使用；不改变业务数据）")

    audit = sub.add_parser("audit", help="执法全过程记录").add_subparsers(
        dest="audit_command", metavar="操作"
    )
    audit.add_parser("verify", help="校验哈希链；完整时退出码 0，断裂时 1 并给出第一个断点")

    backup = sub.add_parser("backup", help="备份与恢复").add_subparsers(dest="backup_command", metavar="操作")
    backup.add_parser("create", help="在线备份到文件或目录").add_argument("dest", type=Path)
    backup.add_parser("verify", help="校验备份文件").add_argument("file", type=Path)
    backup.add_parser("restore", help="从校验通过的备份恢复（当前存储另存一旁）").add_argument(
        "file", type=Path
    )

    from brigade_desk.cli_discretion import add_discretion_parser

    add_discretion_parser(sub, _date)
    from brigade_desk.cli_sync import add_sync_parsers

    add_sync_parsers(sub)

    from brigade_desk.cli_documents import add_document_parsers

    add_document_parsers(sub)
    return parser


def _ask_password(given: str | None, prompt: str) -> str:
    from brigade_desk.core.errors import ValidationError

    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ValidationError.single(prompt, "非交互运行时请用 --password 或 --admin-password 给出")
    first = getpass.getpass(f"{prompt}：")
    if getpass.getpass("再输入一次：") != first:
        raise ValidationError.single(prompt, "两次输入不一致")
    return first


def _data_dir(args: argparse.Namespace) -> Path:
    from brigade_desk.core.paths import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def _cli_actor() -> Any:
    from brigade_desk.core.rules.permissions import system_actor

    try:
        os_user = getpass.getuser()
    except Exception:
        os_user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return system_actor(os_user)


def _open(args: argparse.Namespace, *, must_be_initialized: bool = True) -> Any:
    from brigade_desk.core.app import open_services
    from brigade_desk.core.errors import StoreError
    from brigade_desk.core.paths import STORE_FILE

    not_initialized = StoreError("存储尚未初始化：请先运行 brigade-desk init，或打开图形界面完成首次设置")
    if must_be_initialized and args.db is None and not (_data_dir(args) / STORE_FILE).exists():
        raise not_initialized  # and create nothing
    services = open_services(_data_dir(args), args.db)
    if must_be_initialized and not services.setup.is_initialized():
        services.close()
        raise not_initialized
    return services


def cmd_init(args: argparse.Namespace) -> int:
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.services.setup import TownshipInput, validate_township
    from brigade_desk.core.services.users import NewUser, validate_new_user

    organ = TownshipInput(
        name=args.town,
        area_code=args.area_code,
        credit_code=args.credit_code,
        doc_prefix=args.prefix,
        county_name=args.county_name or (args.town if args.county else ""),
        court=args.court,
        kind="county" if args.county else "township",
    )
    # Refuse bad input before asking for a password or touching the data directory.
    errors = validate_township(organ)
    if errors:
        raise ValidationError(errors)
    password = _ask_password(args.admin_password, "管理员密码")
    admin = NewUser(args.admin, args.admin_name, password, roles=("admin",))
    errors = validate_new_user(admin, min_password=8)
    if errors:
        raise ValidationError(errors)
    services = _open(args, must_be_initialized=False)
    try:
        view, user = services.setup.initialize(organ, admin)
        print(
            f"已初始化：{view.name}（{view.area_code}），管理员 {user.login}；存储：{services.store.display_name()}"
        )
    finally:
        services.close()
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from brigade_desk.core.services.users import NewUser

    services = _open(args)
    actor = _cli_actor()
    try:
        match args.users_command:
            case "add":
                password = _ask_password(args.password, "初始密码")
                view = services.users.add_user(
                    actor,
                    NewUser(
                        login=args.login,
                        display_name=args.name,
                        password=password,
                        roles=tuple(r for r in args.roles.split(",") if r.strip()),
                        post=args.post,
                        certificate_no=args.certificate_no,
                        certificate_valid_from=args.certificate_from,
                        certificate_valid_to=args.certificate_to,
                        legal_review_qualified=args.legal_qualified,
                        is_leader=args.leader,
                    ),
                )
                print(f"已新增用户 {view.login}（{view.display_name}，{view.roles_label}）")
            case "list":
                users = services.users.list_users(actor)
                if args.json:
                    print_json(users)
                else:
                    for u in users:
                        state = "启用" if u.active else "停用"
                        cert = f"执法证 {u.certificate_no}" if u.certificate_no else "无执法证"
                        print(f"{u.login:<16} {u.display_name:<8} {u.roles_label:<20} {cert:<20} {state}")
            case "passwd":
                services.users.reset_password(actor, args.login, _ask_password(args.password, "新密码"))
                print(f"已重置 {args.login} 的密码")
            case "lock" | "unlock":
                view = services.users.set_active(actor, args.login, args.users_command == "unlock")
                print(f"{view.login}：{'已启用' if view.active else '已停用'}")
            case _:
                build_parser().parse_args(["users", "--help"])
    finally:
        services.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.services.demo import DemoService

    if args.cases < 0:
        raise ValidationError.single("--cases", "案件数量不能为负数")
    services = _open(args)
    try:
        demo = DemoService(services.store)
        with _progress_bar("生成演示数据", unit="件") as progress:
            report = demo.generate(_cli_actor(), cases=args.cases, seed=args.seed, progress=progress)
        print(
            f"已生成 {report.cases} 件案件、{report.parties} 个当事人、{report.officers} 名执法人员，"
            f"用时 {report.seconds:.1f} 秒；演示账户密码均为 {report.password}"
        )
    finally:
        services.close()
    return 0


class _progress_bar:
    """tqdm on a terminal (stderr), adapted to the core's progress(done, total) callback."""

    def __init__(self, label: str, unit: str) -> None:
        self.label, self.unit = label, unit
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        from tqdm import tqdm

        def update(done: int, total: int) -> None:
            if self.bar is None:
                self.bar = tqdm(
                    total=total, desc=self.label, unit=self.unit, file=sys.stderr, dynamic_ncols=True
                )
            self.bar.update(done - self.bar.n)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_cases(args: argparse.Namespace) -> int:
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.timeutil import format_date, format_datetime

    services = _open(args)
    actor = _cli_actor()
    try:
        services.cases.rebuild_search_if_needed()
        match args.cases_command:
            case "search":
                if args.limit <= 0:
                    raise ValidationError.single("--limit", "应为正整数")
                rows = services.cases.search(actor, args.query, limit=args.limit)
                total = services.cases.count_search(actor, args.query)
                if args.json:
                    print_json({"query": args.query, "total": total, "cases": rows})
                    return 0
                print(
                    f"“{args.query}”共找到 {total} 件案件"
                    + (f"，显示前 {len(rows)} 件" if total > len(rows) else "")
                )
                for r in rows:
                    print(
                        f"{r.case_number:<24} {format_datetime(r.received_at)}  {r.state_label:<8} {r.parties}  {r.summary}"
                    )
            case "show":
                detail = services.cases.find_by_number(actor, args.case_number)
                status = services.procedure.status(actor, detail.id)
                if args.json:
                    print_json({"case": detail, "status": status})
                    return 0
                print(f"{detail.case_number}  {detail.summary}")
                print(
                    f"当事人：{'、'.join(detail.parties)}    状态：{status.state_label}    下一步：{status.next_action}"
                )
                print("环节：" + " → ".join(f"{s.label}[{_STAGE_MARK[s.status]}]" for s in status.stages))
                for problem in status.blocked_by:
                    print(f"  尚未满足：{problem}")
                for d in status.deadlines:
                    print(
                        f"  期限：{d.label}  {format_date(d.start)} 起，{format_date(d.due)} 届满  {_status_label(d.status)}"
                    )
                for warning in status.warnings:
                    print(f"  注意：{warning}")
            case _:
                build_parser().parse_args(["cases", "--help"])
    finally:
        services.close()
    return 0


_STAGE_MARK = {
    "done": "已完成",
    "current": "进行中",
    "blocked": "受阻",
    "todo": "未开始",
    "skipped": "不适用",
}


def _status_label(status: str) -> str:
    from brigade_desk.core.rules.clocks import STATUS_LABELS, DeadlineStatus

    return STATUS_LABELS[DeadlineStatus(status)]


def cmd_deadlines(args: argparse.Namespace) -> int:
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.timeutil import format_date

    if args.due_within is not None and args.due_within < 0:
        raise ValidationError.single("--due-within", "不能为负数")
    services = _open(args)
    try:
        board = services.dashboard.deadlines(_cli_actor(), due_within=args.due_within, limit=10_000)
    finally:
        services.close()
    if args.json:
        print_json(board)
        return 0
    print(
        f"截至 {format_date(board.today)}：逾期 {board.counts['overdue']} 件，今日到期 {board.counts['due_today']} 件，"
        f"{format_date(board.soon_until)} 前到期 {board.counts['due_soon']} 件，无期限 {board.counts['none']} 件"
    )
    for title, rows in (("逾期", board.overdue), ("今日到期", board.due_today), ("即将到期", board.due_soon)):
        for r in rows:
            print(
                f"[{title}] {r.case_number:<24} {r.clock}  {format_date(r.due) if r.due else ''}  {r.parties}  {r.summary}"
            )
    for warning in board.warnings:
        print(f"注意：{warning}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from brigade_desk.core.timeutil import format_date

    services = _open(args)
    actor = _cli_actor()
    try:
        match args.review_command:
            case "list":
                rows = services.reviews.queue(actor, pending_only=args.pending)
                if args.json:
                    print_json(rows)
                    return 0
                for r in rows:
                    flag = "【逾期】" if r.overdue else ""
                    print(
                        f"{flag}{r.case_number:<24} 第{r.round}轮 {r.status_label:<8} 期限 {format_date(r.due_on)}  {r.summary}"
                    )
                return 0
            case "verify":
                case = services.cases.find_by_number(actor, args.case_number)
                report = services.reviews.verify_case(actor, case.id)
                if report.ok:
                    print(f"{case.case_number}：{report.checked} 个签名均有效，审核未失效")
                    return 0
                for problem in report.problems:
                    print(f"{case.case_number}：{problem}", file=sys.stderr)
                return EXIT_PROBLEM
            case _:
                build_parser().parse_args(["review", "--help"])
                return EXIT_REFUSED
    finally:
        services.close()


def cmd_reindex(args: argparse.Namespace) -> int:
    from brigade_desk.core import search

    services = _open(args)
    try:
        with _progress_bar("重建检索索引", unit="件") as progress, services.store.write() as session:
            count = search.rebuild_index(session, progress)
    finally:
        services.close()
    print(f"已为 {count} 件案件重建检索索引")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from brigade_desk.core.timeutil import format_datetime

    services = _open(args)
    try:
        report = services.audit.verify(_cli_actor())
    finally:
        services.close()
    if report.ok:
        print(f"执法全过程记录完整：共 {report.events} 个事件，哈希链无断点")
        return 0
    when = format_datetime(report.broken_at) if report.broken_at else "未知"
    print(
        f"哈希链断裂：第 {report.broken_seq} 号事件（ID {report.broken_id}，时间 {when}）：{report.reason}。"
        f"此前 {report.events} 个事件完整。",
        file=sys.stderr,
    )
    return EXIT_PROBLEM


def cmd_backup(args: argparse.Namespace) -> int:
    from brigade_desk.core.backup import restore_backup

    match args.backup_command:
        case "restore":
            aside = restore_backup(_data_dir(args), args.file)
            print(f"已从 {args.file} 恢复；原存储保存在 {aside}")
            return 0
        case "create" | "verify":
            services = _open(args)
            try:
                with _progress_bar(
                    "备份" if args.backup_command == "create" else "校验", unit="个"
                ) as progress:
                    if args.backup_command == "create":
                        result, check = services.backups.create(_cli_actor(), args.dest, progress)
                        print(
                            f"已备份到 {result.path}（{result.members} 个成员，{result.bytes / 1e6:.1f} MB）"
                        )
                    else:
                        check = services.backups.verify(_cli_actor(), args.file, progress)
            finally:
                services.close()
            print(check.message, file=sys.stdout if check.ok else sys.stderr)
            return 0 if check.ok else EXIT_PROBLEM
        case _:
            build_parser().parse_args(["backup", "--help"])
            return EXIT_REFUSED


def cmd_discretion(args: argparse.Namespace) -> int:
    from brigade_desk.cli_discretion import run_discretion

    return run_discretion(args)


def cmd_doc(args: argparse.Namespace) -> int:
    from brigade_desk.cli_documents import run_doc

    return run_doc(args)


def cmd_casefile(args: argparse.Namespace) -> int:
    from brigade_desk.cli_documents import run_casefile

    return run_casefile(args)


def cmd_forms(args: argparse.Namespace) -> int:
    from brigade_desk.cli_documents import run_forms

    return run_forms(args)


def cmd_gui(args: argparse.Namespace) -> int:
    from brigade_desk.gui.main import run_gui

    return run_gui(_data_dir(args), args.db)


def _sync_cli() -> Any:
    import brigade_desk.cli_sync

    return brigade_desk.cli_sync


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gui": cmd_gui,
    "init": cmd_init,
    "users": cmd_users,
    "demo": cmd_demo,
    "cases": cmd_cases,
    "deadlines": cmd_deadlines,
    "reindex": cmd_reindex,
    "review": cmd_review,
    "audit": cmd_audit,
    "backup": cmd_backup,
    "discretion": cmd_discretion,
    "doc": cmd_doc,
    "casefile": cmd_casefile,
    "forms": cmd_forms,
    "bundle": lambda args: _sync_cli().run_bundle(args),
    "peers": lambda args: _sync_cli().run_peers(args),
    "county": lambda args: _sync_cli().run_county(args),
}


def main(argv: Sequence[str] | None = None) -> int:
    from brigade_desk.core.errors import BrigadeError

    args = build_parser().parse_args(argv)
    command = COMMANDS.get(args.command or "gui", cmd_gui)
    try:
        return command(args)
    except BrigadeError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def gui_main() -> int:
    return main([*sys.argv[1:], "gui"])


if __name__ == "__main__":
    sys.exit(main())
