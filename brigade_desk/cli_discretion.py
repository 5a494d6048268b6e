"""`brigade-desk discretion`: the discretion engine and benchmark versions on the command line.

    brigade-desk discretion --item CODE [--date D] [--fact NAME[=VALUE]]... [--quantity NAME=VALUE]...
                            [--party-priors N] [--benchmark CODE] [--file CSV] [--json]
    brigade-desk discretion eval …            (the same, spelled out)
    brigade-desk discretion import FILE [--dry-run] [--json]
    brigade-desk discretion export --benchmark ID -o FILE
    brigade-desk discretion list [--json]

The bare form evaluates: its options live on the `discretion` parser itself, and `eval` repeats
them with suppressed defaults so either spelling fills the same names. Evaluation uses the store's
benchmark versions; where no store has been initialised it uses the starter benchmark shipped with
the program (said on stderr, so `--json` output stays clean). `--file` evaluates against an exchange
file instead. Imports are all-or-nothing: every problem is printed by row and column and the command
exits 2 without writing anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

_TRUE = {"是", "true", "yes", "y", "1", "真", "有"}
_FALSE = {"否", "false", "no", "n", "0", "假", "无"}


def _add_eval_options(
    parser: argparse.ArgumentParser, date_type: Callable[[str], date], suppress: bool
) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--item", metavar="CODE", default=default, help="事项编码，如 DL-27-1")
    parser.add_argument(
        "--date", type=date_type, default=default, metavar="YYYY-MM-DD", help="违法行为发生日期（默认今天）"
    )
    parser.add_argument(
        "--decision-date",
        type=date_type,
        default=default,
        metavar="YYYY-MM-DD",
        help="拟作出决定的日期：届时施行的新版本也会计算（从旧兼从轻）",
    )
    parser.add_argument(
        "--fact",
        action="append",
        default=default,
        metavar="NAME[=VALUE]",
        help="情节（简称、代码或全称），可重复；VALUE 为 是/否，默认 是。例：--fact 及时改正",
    )
    parser.add_argument(
        "--quantity",
        action="append",
        default=default,
        metavar="NAME=VALUE",
        help="计量（名称或代码=数值），可重复；金额基数按元填写。例：--quantity 面积=12.5",
    )
    parser.add_argument(
        "--party-priors",
        type=int,
        default=argparse.SUPPRESS if suppress else 0,
        metavar="N",
        help="当事人追溯期内因同一违法行为受处罚的次数（默认 0）",
    )
    parser.add_argument(
        "--benchmark", default=default, metavar="CODE", help="只使用该裁量基准（基准代码或版本标识）"
    )
    parser.add_argument(
        "--file", type=Path, default=default, metavar="CSV", help="使用裁量基准导入文件，而不是库中的基准"
    )
    parser.add_argument(
        "--prefer-lighter",
        action="store_true",
        default=default if suppress else False,
        help="决定时施行的新版本较轻时适用新版本（行政处罚法第三十七条）",
    )
    parser.add_argument(
        "--json", action="store_true", default=default if suppress else False, help="以 JSON 输出"
    )


def add_discretion_parser(sub: Any, date_type: Callable[[str], date]) -> None:
    """Add `discretion` and its operations to the top-level subparsers."""
    disc = sub.add_parser(
        "discretion",
        help="行政裁量：计算裁量结果，查看、导入、导出裁量基准",
        description="不带操作时按选项计算裁量结果（同 discretion eval）。",
    )
    _add_eval_options(disc, date_type, suppress=False)
    ops = disc.add_subparsers(dest="discretion_command", metavar="操作")
    p = ops.add_parser("eval", help="计算裁量结果（与直接写选项相同）")
    _add_eval_options(p, date_type, suppress=True)
    p = ops.add_parser("import", help="导入裁量基准文件（docs/discretion-format.md）；有任何错误则不导入")
    p.add_argument("file", type=Path, help="裁量基准导入文件（CSV）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不导入")
    p.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    p = ops.add_parser("export", help="把一个裁量基准版本导出为导入文件格式")
    p.add_argument(
        "--benchmark", required=True, metavar="ID", help="版本标识、基准代码（最新版本）或 基准代码@版本"
    )
    p.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="导出到的文件")
    p = ops.add_parser("list", help="列出库中的裁量基准版本")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


# --- helpers --------------------------------------------------------------------------------------


def _facts(values: list[str] | None) -> dict[str, bool]:
    from brigade_desk.core.errors import ValidationError

    facts: dict[str, bool] = {}
    for text in values or []:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip().lower()
        if not name:
            raise ValidationError.single("--fact", f"“{text}”缺少情节名称")
        if not sep or value in _TRUE:
            facts[name] = True
        elif value in _FALSE:
            facts[name] = False
        else:
            raise ValidationError.single("--fact", f"“{text}”的值应为 是 或 否")
    return facts


def _quantities(values: list[str] | None) -> dict[str, str]:
    from brigade_desk.core.errors import ValidationError

    quantities: dict[str, str] = {}
    for text in values or []:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError.single("--quantity", f"“{text}”应写成 名称=数值，如 面积=12.5")
        quantities[name.strip()] = value.strip()
    return quantities


def _store_exists(args: argparse.Namespace) -> bool:
    from brigade_desk.cli import _data_dir
    from brigade_desk.core.paths import STORE_FILE

    return args.db is not None or (_data_dir(args) / STORE_FILE).exists()


def _evaluate(args: argparse.Namespace) -> Any:
    """The engine's result for the options given, from the store, a file, or the starter."""
    from brigade_desk import cli
    from brigade_desk.core.errors import ValidationError
    from brigade_desk.core.rules import discretion as rules
    from brigade_desk.core.services.discretion import DiscretionInput
    from brigade_desk.core.timeutil import beijing_today

    if not getattr(args, "item", None):
        raise ValidationError.single("--item", "请用 --item 指定事项编码，如 --item DL-27-1")
    day = args.date or beijing_today()
    data = DiscretionInput(
        item_code=args.item,
        facts=_facts(args.fact),
        quantities=_quantities(args.quantity),
        violation_date=day,
        decision_date=args.decision_date,
        prefer_lighter_later_version=bool(args.prefer_lighter),
    )
    pure: list[rules.Benchmark] | None = None
    if args.file is not None:
        try:
            parsed = rules.read_benchmark_csv(args.file)
        except OSError as exc:
            raise ValidationError.single("--file", f"无法读取 {args.file}：{exc.strerror or exc}") from None
        if parsed.benchmark is None:
            raise ValidationError.single("--file", "；".join(str(issue) for issue in parsed.errors))
        pure = [parsed.benchmark]
    elif not _store_exists(args):
        print("提示：未找到已初始化的存储，使用软件自带的初始裁量基准", file=sys.stderr)
        pure = [rules.load_starter_benchmark()]
    if pure is None:
        services = cli._open(args)
        try:
            actor = cli._cli_actor()
            if args.benchmark:
                data = replace(data, series=_series(services, actor, args.benchmark))
            return services.discretion.evaluate(actor, data, prior_count=args.party_priors)
        finally:
            services.close()
    try:
        priors = rules.priors_from_count(args.party_priors, day)
        return rules.evaluate(
            pure,
            data.item_code,
            day,
            dict(data.facts),
            dict(data.quantities),
            priors,
            decision_date=data.decision_date,
            prefer_lighter_later_version=data.prefer_lighter_later_version,
        )
    except rules.DiscretionInputError as exc:
        raise ValidationError.single(exc.field or "裁量", exc.message) from None


def _series(services: Any, actor: Any, reference: str) -> str:
    return str(services.discretion.find_version(actor, reference).series)


def _print_result(result: Any) -> None:
    from brigade_desk.core.rules.money import format_yuan

    print(f"事项：{result.item_code}　{result.violation}")
    print(f"基准：《{result.benchmark_title}》第{result.benchmark_version}版")
    print(f"法定幅度：{format_yuan(result.statutory_min_fen)}至{format_yuan(result.statutory_max_fen)}")
    tier = f"{result.tier_label}（{result.tier_code}）" if result.tier_label else "基准未规定（按法定幅度）"
    print(f"裁量阶次：{tier}")
    if result.tier_min_fen is not None and result.tier_max_fen is not None:
        print(f"阶次幅度：{format_yuan(result.tier_min_fen)}至{format_yuan(result.tier_max_fen)}")
    print(f"建议：{result.recommended_text}（{result.rule_text}）")
    if result.additional_penalties:
        print(f"附加处罚：{'、'.join(result.additional_penalties)}")
    print(f"追溯期内处罚次数：{result.prior_penalty_count}")
    if result.requires_collective_discussion:
        print("须经集体讨论：是")
    for warning in result.warnings:
        print(f"提示：{warning}")
    print()
    print(result.explanation)


# --- the command ----------------------------------------------------------------------------------


def run_discretion(args: argparse.Namespace) -> int:
    from brigade_desk import cli

    match args.discretion_command:
        case None | "eval":
            result = _evaluate(args)
            if args.json:
                cli.print_json(result.to_dict())
            else:
                _print_result(result)
            return 0
        case "import":
            return _import(args)
        case "export":
            services = cli._open(args)
            try:
                actor = cli._cli_actor()
                view = services.discretion.find_version(actor, args.benchmark)
                path = services.discretion.export_to(actor, view.id, args.output)
            finally:
                services.close()
            print(f"已导出{view.label}（{view.item_count}个事项）到 {path}")
            return 0
        case "list":
            services = cli._open(args)
            try:
                versions = services.discretion.list_versions(cli._cli_actor())
            finally:
                services.close()
            if args.json:
                cli.print_json([{**v.__dict__, "used": v.used} for v in versions])
                return 0
            for v in versions:
                state = f"已被{len(v.used_by)}件决定使用" if v.used else "未使用"
                starter = "（初始示例）" if v.is_starter and "初始" not in v.title else ""
                print(
                    f"{v.id}  {v.series}@{v.version_number}  {v.title}{starter}  {v.period_text}  "
                    f"{v.item_count}个事项  {state}"
                )
            return 0
    return cli.EXIT_REFUSED


def _import(args: argparse.Namespace) -> int:
    from brigade_desk import cli
    from brigade_desk.core.errors import ValidationError

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise ValidationError.single("文件", f"无法读取 {args.file}：{exc.strerror or exc}") from None
    services = cli._open(args)
    try:
        report = services.discretion.import_csv(cli._cli_actor(), data, dry_run=args.dry_run)
    finally:
        services.close()
    if args.json:
        cli.print_json(
            {
                "ok": report.ok,
                "dry_run": report.dry_run,
                "action": report.action,
                "summary": report.summary,
                "benchmark_id": report.benchmark_id,
                "series": report.series,
                "version_number": report.version_number,
                "item_count": report.item_count,
                "tier_count": report.tier_count,
                "errors": [issue.to_dict() | {"text": str(issue)} for issue in report.errors],
                "warnings": [issue.to_dict() | {"text": str(issue)} for issue in report.warnings],
            }
        )
    else:
        for issue in report.warnings:
            print(f"提示：{issue}", file=sys.stderr)
        for issue in report.errors:
            print(f"错误：{issue}", file=sys.stderr)
        if report.ok:
            print(report.summary)
        else:
            print(f"错误：{report.summary}", file=sys.stderr)
    return 0 if report.ok else cli.EXIT_REFUSED
