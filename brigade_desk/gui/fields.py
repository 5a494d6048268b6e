"""Input widgets the case forms share: dates as people write them, money in yuan, officers with
their certificates, and a checkable list.

Values come back as core's types (date, datetime, fen, ids); nothing here calls a service except the
officer picker, which reads the users list once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.services.users import UserView
from brigade_desk.core.timeutil import BEIJING, beijing_today, format_date
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import ERROR, colour

DATE_FORMAT = "yyyy年M月d日"
DATETIME_FORMAT = "yyyy年M月d日 HH:mm"
NO_DATE = QDate(1900, 1, 1)
_MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def session_today(session: DeskSession) -> date:
    """Today as the services count it (their clock, Beijing date)."""
    return beijing_today(session.services.cases.clock())


def session_now(session: DeskSession) -> datetime:
    return session.services.cases.clock()


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(day: date | None = None, *, optional: bool = False) -> QDateEdit:
    """A date field shown as 2026年11月26日 with a calendar; `optional` allows 未填写."""
    edit = QDateEdit()
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    if optional:
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("未填写")
    edit.setDate(to_qdate(day) if day else NO_DATE if optional else QDate.currentDate())
    return edit


def date_value(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else from_qdate(value)


def datetime_edit(value: datetime) -> QDateTimeEdit:
    """A time to the minute, in Beijing time whatever the PC's own time zone.

    The edit holds Beijing wall-clock time in a UTC-zoned QDateTime, so that Qt never converts it
    to or from the system zone (which would shift it by the zone's offset, or by daylight saving)."""
    edit = QDateTimeEdit()
    edit.setTimeZone(QTimeZone.utc())
    edit.setDisplayFormat(DATETIME_FORMAT)
    edit.setCalendarPopup(True)
    set_datetime(edit, value)
    return edit


def set_datetime(edit: QDateTimeEdit, value: datetime) -> None:
    local = value.astimezone(BEIJING)
    edit.setDateTime(QDateTime(to_qdate(local.date()), QTime(local.hour, local.minute), QTimeZone.utc()))


def datetime_value(edit: QDateTimeEdit) -> datetime:
    """The Beijing time shown, as an aware UTC datetime."""
    value = edit.dateTime()
    d, t = value.date(), value.time()
    local = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=BEIJING)
    return local.astimezone(UTC)


def yuan_to_fen(text: str) -> int | None:
    """ "1,000" / "1000.5" / "500元" -> fen; "" -> None; raises ValueError on anything else."""
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not cleaned:
        return None
    if not _MONEY.match(cleaned):
        raise ValueError("请填写金额（元），如 500 或 1,000.00")
    yuan, _, cents = cleaned.partition(".")
    return int(yuan) * 100 + int((cents + "00")[:2])


def fen_to_yuan_text(fen: int | None) -> str:
    if fen is None:
        return ""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}" if cents == 0 else f"{yuan}.{cents:02d}"


def money_edit(fen: int | None = None) -> QLineEdit:
    edit = QLineEdit(fen_to_yuan_text(fen))
    edit.setPlaceholderText("元，如 500 或 1,000.00")
    return edit


class CheckList(QListWidget):
    """A list of (value, label) with a check box each; `values()` are the checked ones in order."""

    changed = Signal()

    def __init__(self, choices: Iterable[tuple[str, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        self.set_choices(choices)

    def set_choices(self, choices: Iterable[tuple[str, str]], checked: Iterable[str] = ()) -> None:
        keep = set(checked)
        self.blockSignals(True)
        self.clear()
        for value, label in choices:
            item = QListWidgetItem(label)
            item.setToolTip(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in keep else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)
        self.changed.emit()

    def item_for(self, value: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == value:
                return item
        return None

    def set_checked(self, values: Iterable[str], checked: bool = True) -> None:
        for value in values:
            item = self.item_for(value)
            if item is not None:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def values(self) -> tuple[str, ...]:
        return tuple(
            self.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        )

    def fit_rows(self, rows: int) -> None:
        """Tall enough for `rows` rows without scrolling (a form shows its choices at a glance)."""
        height = self.sizeHintForRow(0) if self.count() else self.fontMetrics().height() + 6
        self.setMinimumHeight(height * min(rows, max(self.count(), 1)) + 2 * self.frameWidth() + 4)


def certificate_text(user: UserView, on: date) -> tuple[str, bool]:
    """张三　执法证 ZJ10000001，有效期至2030年12月31日 — and whether it is valid on `on`."""
    if not user.certificate_no:
        return f"{user.display_name}　无执法证", False
    valid = user.certificate_valid_on(on)
    until = f"有效期至{format_date(user.certificate_valid_to)}" if user.certificate_valid_to else "长期有效"
    state = until if valid else f"执法证在{format_date(on)}无效（{until}）"
    return f"{user.display_name}　执法证 {user.certificate_no}，{state}", valid


class OfficerPicker(CheckList):
    """执法人员: every active person with a certificate (and the signed-in officer), the validity of
    each certificate on the day of the act shown beside the name, invalid ones in red. The first
    checked is the lead handler (主办)."""

    def __init__(
        self,
        session: DeskSession,
        on: date,
        *,
        checked: Sequence[str] = (),
        leaders_only: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__((), parent)
        self.session = session
        self.leaders_only = leaders_only
        self.users: list[UserView] = []
        self.load_error = ""
        try:
            users = session.services.users.list_users(session.actor, include_inactive=False)
        except BrigadeError as exc:
            users, self.load_error = [], exc.message
        if leaders_only:
            self.users = [u for u in users if u.is_leader]
        else:
            self.users = [
                u for u in users if u.certificate_no or "officer" in u.roles or u.id == session.actor.user_id
            ]
        self._checked_order: list[str] = []
        self.set_day(on, checked)
        self.itemChanged.connect(self._remember_order)
        self.fit_rows(5)

    def set_day(self, on: date, checked: Sequence[str] | None = None) -> None:
        keep = list(checked) if checked is not None else list(self.values())
        self.on = on
        choices = []
        for user in self.users:
            text, _valid = (user.display_name, True) if self.leaders_only else certificate_text(user, on)
            choices.append((user.id, text))
        self.set_choices(choices, keep)
        self._checked_order = [v for v in keep if self.item_for(v) is not None]
        for user in self.users:
            item = self.item_for(user.id)
            if item is not None and not self.leaders_only and not certificate_text(user, on)[1]:
                item.setForeground(colour(ERROR))

    def _remember_order(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and value not in self._checked_order:
            self._checked_order.append(value)
        elif item.checkState() != Qt.CheckState.Checked and value in self._checked_order:
            self._checked_order.remove(value)

    def values(self) -> tuple[str, ...]:
        """Checked officers in the order they were ticked: the first is the lead handler."""
        checked = set(super().values())
        ordered = [v for v in getattr(self, "_checked_order", []) if v in checked]
        return tuple(ordered + [v for v in super().values() if v not in ordered])
