"""`brigade-desk bundle | peers | county`: exchanging bundles with the county on the command line.

    brigade-desk peers key [-o FILE] [--renew --reason R] this organ's card (--renew: a new key first)
    brigade-desk peers add --card FILE [--yes]           register the other side from its card
    brigade-desk peers add [--county] --area-code A --name N --public-key K [--yes]
    brigade-desk peers rekey AREA_CODE (--card FILE | --public-key K) --reason R [--yes]
    brigade-desk peers list [--json]
    brigade-desk peers disable|enable AREA_CODE
    brigade-desk bundle export [--full] -o DIR [--area-code A]
    brigade-desk bundle verify FILE [--json]
    brigade-desk bundle import FILE [--dry-run] [--json]
    brigade-desk bundle status [--json]
    brigade-desk bundle resend N -o DIR [--area-code A]
    brigade-desk bundle quarantine [--export FILE] [--json]
    brigade-desk county overview [--json]
    brigade-desk county cases AREA_CODE [--overdue] [--json]

Exit codes as elsewhere: 0 done, 1 a bundle failed verification (`bundle verify`), 2 refused
(a bad bundle at `bundle import`, bad input, an unregistered peer …).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path
from typing import Any

from brigade_desk.core.timeutil import format_datetime


def add_sync_parsers(sub: Any) -> None:
    peers = sub.add_parser("peers", help="数据包交换对象（县级与各乡镇）及其公钥").add_subparsers(
        dest="peers_command", metavar="操作"
    )
    p = peers.add_parser("key", help="显示本机关的名片（名称、区划代码、公钥及指纹），交给对方登记")
    p.add_argument("-o", "--output", type=Path, help="把名片写入文件（拷给对方用 peers add --card 登记）")
    p.add_argument(
        "--renew",
        action="store_true",
        help="生成新的签名密钥（原密钥文件丢失时）；对方须用 peers rekey 登记新名片",
    )
    p.add_argument("--reason", default="", help="更换密钥的原因（--renew 时必填）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接更换")
    p = peers.add_parser("add", help="登记对方机关的公钥（乡镇登记县级时加 --county）")
    p.add_argument("--card", type=Path, help="对方用 peers key -o 写出的名片文件")
    p.add_argument("--county", action="store_true", help="登记的是县级机关（在乡镇的电脑上）")
    p.add_argument("--area-code", help="对方的6位行政区划代码")
    p.add_argument("--name", help="对方机关名称")
    p.add_argument("--public-key", help="对方的公钥（base64，44个字符）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接登记（已当面或电话核对过指纹）")
    p = peers.add_parser("rekey", help="对方更换了密钥（如重装系统）：换成其新公钥，序号和记录保留")
    p.add_argument("area_code", metavar="AREA_CODE")
    p.add_argument("--card", type=Path, help="对方新的名片文件")
    p.add_argument("--public-key", help="对方新的公钥（base64，44个字符）")
    p.add_argument("--reason", default="", help="更换原因（必填）")
    p.add_argument("--yes", action="store_true", help="不再询问（已电话核对过新指纹）")
    p = peers.add_parser("list", help="列出已登记的交换对象")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    for name, text in (("disable", "停用（不再接收其数据包）"), ("enable", "重新启用")):
        peers.add_parser(name, help=text).add_argument("area_code", metavar="AREA_CODE")

    bundle = sub.add_parser("bundle", help="与县级交换数据包：导出、校验、导入、状态").add_subparsers(
        dest="bundle_command", metavar="操作"
    )
    p = bundle.add_parser("export", help="导出数据包到目录（乡镇：自上次回执以来的变化；县级：每个乡镇一个）")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="目标目录，如U盘")
    p.add_argument("--full", action="store_true", help="导出全部案件数据（不只是变化）")
    p.add_argument("--area-code", help="县级：只给这个乡镇导出")
    p = bundle.add_parser("verify", help="只校验数据包（签名、哈希、格式、接收方、序号），不导入")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = bundle.add_parser("import", help="校验并导入数据包")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--dry-run", action="store_true", help="试导入：列出将新增、更新、跳过、拒收的记录，不写入"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = bundle.add_parser("status", help="收发记录、回执、暂存与隔离区")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = bundle.add_parser("resend", help="再次拷出已发出的某号数据包（U盘丢失时）")
    p.add_argument("sequence", type=int, metavar="N")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    p.add_argument("--area-code", help="县级：接收方乡镇的区划代码")
    p = bundle.add_parser("quarantine", help="查看或导出被拒收的记录（隔离区）")
    p.add_argument("--export", type=Path, metavar="FILE", help="把隔离区全部记录写成 JSON Lines 文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    county = sub.add_parser("county", help="县级：各乡镇办案情况（只读）").add_subparsers(
        dest="county_command", metavar="操作"
    )
    p = county.add_parser("overview", help="各乡镇案件量、逾期、重大决定与审核、罚款、公示")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = county.add_parser("cases", help="某乡镇的案件列表")
    p.add_argument("area_code", metavar="AREA_CODE")
    p.add_argument("--overdue", action="store_true", help="只列逾期案件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width (a Chinese character takes two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    fill = " " * max(width - shown, 0)
    return fill + text if right else text + fill


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}元"


def _confirmed(args: argparse.Namespace, question: str, needs_yes: str, cancelled: str) -> bool:
    """--yes, or a y typed at the prompt; without a terminal and without --yes, a refusal."""
    from brigade_desk.core.errors import ValidationError

    if args.yes:
        return True
    if not sys.stdin.isatty():
        raise ValidationError.single("确认", needs_yes)
    if input(question).strip().lower() in ("y", "yes", "是"):
        return True
    print(cancelled)
    return False


def run_peers(args: argparse.Namespace) -> int:
    from brigade_desk.cli import _cli_actor, _open, build_parser, print_json
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.services.sync import read_card

    services = _open(args)
    actor = _cli_actor()
    try:
        match args.peers_command:
            case "key":
                if args.renew:
                    if not _confirmed(
                        args,
                        "更换后对方须登记新名片才能接收本机的数据包。输入 y 确认：",
                        "非交互运行时请加 --yes 确认更换密钥",
                        "已取消，未更换",
                    ):
                        return 0
                    renewed = services.sync.renew_own_key(actor, args.reason)
                    print(
                        f"已生成新的签名密钥，指纹 {renewed.fingerprint}；请把新名片交给对方登记（peers rekey）"
                    )
                card = services.sync.peer_card(actor)
                key = services.sync.own_key(actor)
                if args.output:
                    args.output.write_text(card + "\n", encoding="utf-8")
                    print(f"已写出本机关名片：{args.output}")
                else:
                    print(card)
                print(f"{key.organ_name}（{key.area_code}）公钥指纹：{key.fingerprint}", file=sys.stderr)
            case "add":
                if args.card:
                    card = read_card(args.card.read_text(encoding="utf-8"))
                    kind, area, name, public_key = (
                        card["kind"],
                        card["area_code"],
                        card["name"],
                        card["public_key"],
                    )
                    kind = "county" if kind == "county" else "township"
                else:
                    if not (args.area_code and args.name and args.public_key):
                        raise ValidationError.single(
                            "peers add", "请给出 --card 文件，或 --area-code、--name、--public-key"
                        )
                    kind = "county" if args.county else "township"
                    area, name, public_key = args.area_code, args.name, args.public_key
                from brigade_desk.core import crypto
                from brigade_desk.core.services.sync import check_public_key

                if problem := check_public_key(public_key):
                    raise ValidationError.single("公钥", problem)
                fingerprint = crypto.fingerprint(public_key.strip())
                print(
                    f"将登记：{name}（{area}，{'县级' if kind == 'county' else '乡镇'}），公钥指纹 {fingerprint}"
                )
                if not _confirmed(
                    args,
                    "请与对方核对指纹一致后输入 y 确认：",
                    "非交互运行时请核对指纹后加 --yes",
                    "已取消，未登记",
                ):
                    return 0
                view = services.sync.add_peer(
                    actor, kind=kind, area_code=area, name=name, public_key=public_key
                )
                print(f"已登记 {view.name}（{view.area_code}），指纹 {view.fingerprint}")
            case "rekey":
                if args.card:
                    card = read_card(args.card.read_text(encoding="utf-8"))
                    if card["area_code"] != args.area_code:
                        raise ValidationError.single(
                            "--card", f"名片的区划代码是 {card['area_code']}，不是 {args.area_code}"
                        )
                    public_key = card["public_key"]
                elif args.public_key:
                    public_key = args.public_key
                else:
                    raise ValidationError.single("peers rekey", "请给出 --card 文件或 --public-key")
                from brigade_desk.core import crypto
                from brigade_desk.core.services.sync import check_public_key

                if problem := check_public_key(public_key):
                    raise ValidationError.single("公钥", problem)
                print(f"{args.area_code} 的新公钥指纹：{crypto.fingerprint(public_key.strip())}")
                if not _confirmed(
                    args,
                    "请与对方核对新指纹一致后输入 y 确认：",
                    "非交互运行时请核对新指纹后加 --yes",
                    "已取消，未更换",
                ):
                    return 0
                view = services.sync.replace_peer_key(actor, args.area_code, public_key, args.reason)
                print(f"已更换 {view.name}（{view.area_code}）的公钥，新指纹 {view.fingerprint}")
            case "list":
                peers = services.sync.list_peers(actor)
                if args.json:
                    print_json(peers)
                    return 0
                for p in peers:
                    state = "启用" if p.active else "停用"
                    print(
                        f"{p.area_code}  {p.name:<12} {'县级' if p.kind == 'county' else '乡镇'}  指纹 {p.fingerprint}  "
                        f"已收到至第{p.last_received}号  已发出至第{p.last_sent}号  {state}"
                    )
                if not peers:
                    print("尚未登记任何交换对象（brigade-desk peers add）")
            case "disable" | "enable":
                services.sync.set_peer_active(actor, args.area_code, args.peers_command == "enable")
                print(f"{args.area_code}：{'已启用' if args.peers_command == 'enable' else '已停用'}")
            case _:
                build_parser().parse_args(["peers", "--help"])
    finally:
        services.close()
    return 0


def _print_result(result: Any) -> None:
    from brigade_desk.core.sync.records import TYPES

    print(result.message)
    if result.status in ("applied", "dry_run"):
        print(_pad("记录类型", 22) + "".join(_pad(h, 8, True) for h in ("新增", "更新", "未变", "拒收")))
        for name, c in result.counts.items():
            label = TYPES[name].label if name in TYPES else name
            numbers = (c["created"], c["updated"], c["skipped"], c["refused"])
            print(_pad(label, 22) + "".join(_pad(str(n), 8, True) for n in numbers))
        for r in result.refusals[:50]:
            label = TYPES[r.record_type].label if r.record_type in TYPES else r.record_type
            print(f"  拒收 {label} {r.record_id}：{r.reason}")
        if len(result.refusals) > 50:
            print(f"  …… 共 {len(result.refusals)} 条拒收，见 brigade-desk bundle quarantine")
        if result.files_added:
            print(f"新增附件文件 {result.files_added} 个")
    for released in result.released:
        print(f"已自动导入此前暂存的第 {released.sequence} 号数据包：{released.message}")


def run_bundle(args: argparse.Namespace) -> int:
    from brigade_desk.cli import EXIT_PROBLEM, _cli_actor, _open, _progress_bar, build_parser, print_json
    from brigade_desk.core.sync.format import BundleRefused

    services = _open(args)
    actor = _cli_actor()
    try:
        match args.bundle_command:
            case "export":
                with _progress_bar("导出数据包", unit="B") as progress:
                    results = services.sync.export(
                        actor, args.output, full=args.full, area_code=args.area_code, progress=progress
                    )
                for r in results:
                    extra = f"，含回执 {r.receipts} 份" if r.receipts else ""
                    print(
                        f"已导出第 {r.sequence} 号数据包给{r.receiver_name}：{r.path}"
                        f"（{sum(r.counts.values())} 条记录，{r.files} 个附件，{r.bytes / 1e6:.1f} MB{extra}）"
                    )
            case "verify":
                try:
                    with _progress_bar("校验数据包", unit="B") as progress:
                        result = services.sync.verify(actor, args.file, progress)
                except BundleRefused as exc:
                    if args.json:
                        print_json({"ok": False, "code": exc.code, "reason": exc.message})
                    print(f"校验未通过：{exc.message}", file=sys.stderr)
                    return EXIT_PROBLEM
                if args.json:
                    print_json({"ok": True, **result.__dict__})
                else:
                    print(result.message)
                    print(
                        f"发送方：{result.sender_name}（{result.sender_area_code}），第 {result.sequence} 号"
                    )
            case "import":
                with _progress_bar("导入数据包", unit="B") as progress:
                    result = services.sync.import_bundle(
                        actor, args.file, dry_run=args.dry_run, progress=progress
                    )
                if result.status == "applied":
                    # A large import leaves the search index to be rebuilt: do it now, with progress.
                    with _progress_bar("重建检索索引", unit="件") as progress:
                        services.cases.rebuild_search_if_needed(progress)
                if args.json:
                    print_json(result)
                else:
                    _print_result(result)
            case "status":
                status = services.sync.status(actor)
                if args.json:
                    print_json(status)
                    return 0
                _print_status(status)
            case "resend":
                path = services.sync.resend(actor, args.sequence, args.output, args.area_code)
                print(f"已再次拷出第 {args.sequence} 号数据包：{path}")
            case "quarantine":
                if args.export:
                    count = services.sync.export_quarantine(actor, args.export)
                    print(f"已导出隔离区记录 {count} 条：{args.export}")
                    return 0
                rows = services.sync.quarantine(actor)
                if args.json:
                    print_json(rows)
                    return 0
                for q in rows:
                    print(
                        f"{format_datetime(q.at)}  {q.sender_area_code}  {q.type_label} {q.record_id}：{q.reason}"
                    )
                if not rows:
                    print("隔离区为空")
            case _:
                build_parser().parse_args(["bundle", "--help"])
    finally:
        services.close()
    return 0


def _print_status(status: Any) -> None:
    if status.key:
        print(f"本机关：{status.key.organ_name}（{status.key.area_code}），公钥指纹 {status.key.fingerprint}")
    for p in status.peers:
        print(
            f"交换对象：{p.name}（{p.area_code}），已收到至第{p.last_received}号，已发出至第{p.last_sent}号"
        )
    print("发出：")
    for b in status.sent:
        reason = f"（{b.status_reason}）" if b.status_reason else ""
        print(
            f"  第{b.sequence}号 → {b.counterpart}  {format_datetime(b.created_at)}  {b.status_label}{reason}"
        )
    if not status.sent:
        print("  （无）")
    print("收到：")
    for b in status.received:
        reason = f"（{b.status_reason}）" if b.status_reason else ""
        print(
            f"  第{b.sequence}号 ← {b.counterpart}  {format_datetime(b.created_at)}  {b.status_label}{reason}"
        )
    if not status.received:
        print("  （无）")
    for b in status.held:
        print(f"暂存：{b.counterpart}第{b.sequence}号——{b.status_reason}")
    if status.rejections:
        print(f"对方回执中拒收的记录 {len(status.rejections)} 条：")
        for r in status.rejections[:20]:
            print(f"  第{r.sequence}号 {r.type_label} {r.record_id}：{r.reason}")
    print(f"隔离区：{status.quarantined} 条（brigade-desk bundle quarantine）")
    for r in status.refused_files[-5:]:
        print(f"拒收的数据包：{r.get('file')}——{r.get('reason')}")


def run_county(args: argparse.Namespace) -> int:
    from brigade_desk.cli import _cli_actor, _open, build_parser, print_json
    from brigade_desk.core.timeutil import format_date

    services = _open(args)
    actor = _cli_actor()
    try:
        match args.county_command:
            case "overview":
                overview = services.county.overview(actor)
                if args.json:
                    print_json(overview)
                    return 0
                print(f"截至 {format_date(overview.today)}：")
                for t in overview.townships:
                    print(
                        f"{t.area_code} {t.name}：案件 {t.cases}（在办 {t.open_cases}，逾期 {t.overdue}），"
                        f"重大 {t.major}（已审核 {t.major_reviewed}），决定 {t.decisions}，"
                        f"罚款 {_yuan(t.fines_decided_fen)}（已缴 {_yuan(t.fines_paid_fen)}），"
                        f"公示 {t.published}（待公示 {t.publication_pending}），"
                        f"已收到至第{t.last_sequence}号"
                        + (f"，暂存 {t.held} 个" if t.held else "")
                        + (f"，隔离 {t.quarantined} 条" if t.quarantined else "")
                    )
                if not overview.townships:
                    print("尚未登记任何乡镇（brigade-desk peers add）")
            case "cases":
                rows = services.county.township_cases(actor, args.area_code, overdue_only=args.overdue)
                if args.json:
                    print_json(rows)
                    return 0
                for r in rows:
                    due = f"{format_date(r.next_due_on)} {r.next_due_label}" if r.next_due_on else ""
                    mark = "【逾期】" if r.overdue else ""
                    print(f"{r.case_number:<24} {r.state_label:<8} {mark}{due}  {r.summary}")
            case _:
                build_parser().parse_args(["county", "--help"])
    finally:
        services.close()
    return 0
