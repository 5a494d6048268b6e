"""Dialogs of the documents tab: generate (signing officers, party, the fields the case lacks, a
preview), record service (送达), verify a printed document by number and code.

Every dialog calls core services only and keeps what was typed when core refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError, ValidationError
from brigade_desk.core.rules.money import format_yuan, parse_yuan
from brigade_desk.core.services.documents import (
    DeliveryInput,
    DeliveryView,
    DocumentView,
    FieldPrompt,
    GenerateOptions,
    OfficerChoice,
    Preparation,
)
from brigade_desk.core.services.procedure import DELIVERY_MODES
from brigade_desk.core.timeutil import BEIJING
from brigade_desk.gui.pdf_preview import PdfPreview
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import ERROR, set_error_style

EMPTY_DATE = QDate(2000, 1, 1)


# --- one editor per field type --------------------------------------------------------------------


class FieldEditor:
    """A widget for one field to fill in, giving back the value core expects (None when empty)."""

    def __init__(self, prompt: FieldPrompt) -> None:
        self.prompt = prompt
        self.widget = self._build()
        if prompt.hint:
            self.widget.setToolTip(prompt.hint)
        if prompt.value is not None:
            self.set_value(prompt.value)

    def _build(self) -> QWidget:
        p = self.prompt
        if p.type == "multiline":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(72)
            edit.setPlaceholderText(p.hint)
            return edit
        if p.type == "date":
            d = QDateEdit()
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy年M月d日")
            d.setMinimumDate(EMPTY_DATE)
            d.setSpecialValueText("（未填）")
            d.setDate(EMPTY_DATE)
            return d
        if p.type == "datetime":
            dt = QDateTimeEdit()
            dt.setCalendarPopup(True)
            dt.setDisplayFormat("yyyy年M月d日 HH:mm")
            dt.setMinimumDateTime(QDateTime(EMPTY_DATE, QTime(0, 0)))
            dt.setSpecialValueText("（未填）")
            dt.setDateTime(QDateTime(EMPTY_DATE, QTime(0, 0)))
            return dt
        if p.type == "bool":
            return QCheckBox("是")
        if p.type == "choice" and p.multiple:
            items = QListWidget()
            for option in p.options:
                item = QListWidgetItem(option)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                items.addItem(item)
            items.setFixedHeight(min(120, 22 * len(p.options) + 6))
            return items
        if p.type == "choice":
            combo = QComboBox()
            combo.addItem("")
            combo.addItems(list(p.options))
            return combo
        if p.type == "list" and p.keys:
            table = QTableWidget(1, len(p.keys))
            table.setHorizontalHeaderLabels(list(p.key_labels or p.keys))
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            table.verticalHeader().hide()
            table.setFixedHeight(110)
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(table)
            row = QHBoxLayout()
            add, remove = QPushButton("添加一行"), QPushButton("删除所选行")
            add.clicked.connect(lambda: table.insertRow(table.rowCount()))
            remove.clicked.connect(
                lambda: table.removeRow(max(table.currentRow(), 0)) if table.rowCount() else None
            )
            row.addWidget(add)
            row.addWidget(remove)
            row.addStretch(1)
            layout.addLayout(row)
            self.table = table
            return box
        if p.type == "list":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(72)
            edit.setPlaceholderText("每项一行")
            return edit
        line = QLineEdit()
        line.setPlaceholderText(p.hint or ("金额（元），如 2000 或 2,000.00" if p.type == "money" else ""))
        return line

    def value(self) -> Any:
        """The typed value, or None when nothing was typed. Raises ValueError with a Chinese message."""
        p, w = self.prompt, self.widget
        if isinstance(w, QPlainTextEdit):
            text = w.toPlainText().strip()
            if p.type == "list":
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                return lines or None
            return text or None
        if isinstance(w, QDateTimeEdit) and not isinstance(w, QDateEdit):
            if w.dateTime().date() == EMPTY_DATE:
                return None
            q = w.dateTime()
            return datetime(
                q.date().year(),
                q.date().month(),
                q.date().day(),
                q.time().hour(),
                q.time().minute(),
                tzinfo=BEIJING,
            )
        if isinstance(w, QDateEdit):
            qd = w.date()
            return None if qd == EMPTY_DATE else date(qd.year(), qd.month(), qd.day())
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QListWidget):
            chosen = [
                w.item(i).text() for i in range(w.count()) if w.item(i).checkState() == Qt.CheckState.Checked
            ]
            return chosen or None
        if isinstance(w, QComboBox):
            return w.currentText() or None
        if p.type == "list":
            rows = []
            for r in range(self.table.rowCount()):
                item = {}
                for c, key in enumerate(p.keys):
                    cell = self.table.item(r, c)
                    if cell is not None and cell.text().strip():
                        item[key] = cell.text().strip()
                if item:
                    rows.append(item)
            return rows or None
        assert isinstance(w, QLineEdit)
        text = w.text().strip()
        if not text:
            return None
        if p.type == "money":
            return parse_yuan(text)
        if p.type == "number":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"“{text}”不是整数") from None
        return text

    def set_value(self, value: Any) -> None:
        p, w = self.prompt, self.widget
        if value is None:
            return
        if isinstance(w, QPlainTextEdit):
            w.setPlainText("\n".join(map(str, value)) if isinstance(value, list) else str(value))
        elif isinstance(w, QDateTimeEdit) and not isinstance(w, QDateEdit):
            v = datetime.fromisoformat(value) if isinstance(value, str) else value
            local = v.astimezone(BEIJING) if v.tzinfo else v
            w.setDateTime(
                QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
            )
        elif isinstance(w, QDateEdit):
            v = date.fromisoformat(value[:10]) if isinstance(value, str) else value
            w.setDate(QDate(v.year, v.month, v.day))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QListWidget):
            chosen = set(value if isinstance(value, list) else [value])
            for i in range(w.count()):
                w.item(i).setCheckState(
                    Qt.CheckState.Checked if w.item(i).text() in chosen else Qt.CheckState.Unchecked
                )
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif p.type == "list" and isinstance(value, list):
            self.table.setRowCount(max(1, len(value)))
            for r, item in enumerate(value):
                for c, key in enumerate(p.keys):
                    self.table.setItem(
                        r, c, QTableWidgetItem(str(item.get(key, "")) if isinstance(item, dict) else "")
                    )
        elif isinstance(w, QLineEdit):
            w.setText(
                format_yuan(value).removesuffix("元")
                if p.type == "money" and isinstance(value, int)
                else str(value)
            )


def _officer_list(officers: tuple[OfficerChoice, ...] | list[OfficerChoice], chosen: set[str]) -> QListWidget:
    widget = QListWidget()
    for o in officers:
        mark = "" if o.valid else "（执法证无效）"
        item = QListWidgetItem(f"{o.name}　{o.certificate_no}{mark}")
        item.setData(Qt.ItemDataRole.UserRole, o.user_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if o.user_id in chosen else Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setFixedHeight(min(130, 22 * max(1, len(officers)) + 6))
    return widget


def _checked_ids(widget: QListWidget) -> tuple[str, ...]:
    return tuple(
        str(widget.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    )


# --- generate --------------------------------------------------------------------------------------


class GenerateDialog(QDialog):
    """制作文书: choose the signing officers and fill in what the case records lack; preview; save."""

    def __init__(
        self,
        session: DeskSession,
        prep: Preparation,
        case_id: str,
        parent: QWidget | None = None,
        *,
        document_id: str | None = None,
        version: int | None = None,
        inputs: dict[str, Any] | None = None,
        saver: Callable[[GenerateOptions], DocumentView] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.saver = saver
        self.prep = prep
        self.case_id = case_id
        self.document_id = document_id
        self.version = version
        self.saved: DocumentView | None = None
        self.setWindowTitle(f"制作《{prep.title}》")
        self.resize(1100, 760)

        form_body = QWidget()
        body_layout = QVBoxLayout(form_body)
        form = QFormLayout()
        body_layout.addLayout(form)
        # Room to spare goes below the fields: the scroll area gives its widget the viewport's height,
        # and a form alone spreads it into gaps around its word-wrapped labels.
        body_layout.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.officers = _officer_list(prep.officers, set(prep.default_officer_ids))
        self.officers.setToolTip("签名的执法人员（默认为本案承办人，而不是正在操作的人员）")
        form.addRow("签名执法人员", self.officers)
        self.party = QComboBox()
        for pid, name in prep.parties:
            self.party.addItem(name, pid)
        if prep.party_id:
            self.party.setCurrentIndex(max(0, self.party.findData(prep.party_id)))
        form.addRow("当事人（受送达人）", self.party)
        self.record = QComboBox()
        for rid, label in prep.records:
            self.record.addItem(label, rid)
        if prep.record_id:
            self.record.setCurrentIndex(max(0, self.record.findData(prep.record_id)))
        if prep.records:
            form.addRow("依据的笔录", self.record)
        self.doc_date = QDateEdit(QDate(prep.doc_date.year, prep.doc_date.month, prep.doc_date.day))
        self.doc_date.setCalendarPopup(True)
        self.doc_date.setDisplayFormat("yyyy年M月d日")
        form.addRow("文书日期", self.doc_date)
        self.editors: dict[str, FieldEditor] = {}
        self.error_lines: dict[str, QLabel] = {}
        intro = QLabel(
            "以下项目案件记录中没有，请填写（带 * 的必填）："
            if prep.fields
            else "本文书所需内容均已取自案件记录。"
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        for prompt in prep.fields:
            editor = FieldEditor(prompt)
            if inputs and prompt.name in inputs:
                editor.set_value(inputs[prompt.name])
            self.editors[prompt.name] = editor
            form.addRow(("* " if prompt.required else "") + prompt.label, editor.widget)
            line = QLabel()
            set_error_style(line)
            line.hide()
            form.addRow("", line)
            self.error_lines[prompt.label] = line
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_body)

        self.preview = PdfPreview()
        self.preview.clear("点击“预览”查看按当前内容生成的草稿")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.preview)
        splitter.setSizes([520, 580])

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.show_preview)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存草稿")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def options(self) -> GenerateOptions:
        """What was chosen and typed; raises ValidationError naming the fields that cannot be read."""
        inputs: dict[str, Any] = {}
        errors = []
        from brigade_desk.core.errors import FieldError

        for name, editor in self.editors.items():
            try:
                value = editor.value()
            except ValueError as exc:
                errors.append(FieldError(editor.prompt.label, str(exc)))
                continue
            if value is not None and value is not False:
                inputs[name] = value
        if errors:
            raise ValidationError(errors)
        q = self.doc_date.date()
        return GenerateOptions(
            self.case_id,
            self.prep.form_id,
            officer_ids=_checked_ids(self.officers),
            inputs=inputs,
            party_id=self.party.currentData(),
            record_id=self.record.currentData() if self.prep.records else None,
            doc_date=date(q.year(), q.month(), q.day()),
        )

    def _show_error(self, exc: BrigadeError) -> None:
        for line in self.error_lines.values():
            line.hide()
        shown: list[str] = []
        if isinstance(exc, ValidationError):
            for err in exc.errors:
                target = self.error_lines.get(err.field)
                if target is not None:
                    target.setText(err.message)
                    target.show()
                    shown.append(err.field)
        set_error_style(self.message)
        self.message.setText(exc.message)

    def show_preview(self) -> None:
        try:
            rendered = self.session.services.documents.preview(
                self.session.actor, self.options(), "pdf", allow_missing=True
            )
        except BrigadeError as exc:
            self._show_error(exc)
            return
        self.preview.show_pdf(rendered.content)
        self.message.setStyleSheet("")
        self.message.setText(
            "还需填写：" + "、".join(rendered.missing) + "（预览中留有空白）"
            if rendered.missing
            else "内容齐全，可以保存草稿后签发。"
        )
        if rendered.missing:
            set_error_style(self.message)

    def save(self) -> None:
        try:
            if self.saver is not None:
                self.saved = self.saver(self.options())
            else:
                self.saved = self.session.services.documents.save_draft(
                    self.session.actor, self.options(), self.document_id, self.version
                )
        except BrigadeError as exc:
            self._show_error(exc)
            return
        self.accept()


# --- service ---------------------------------------------------------------------------------------


class DeliveryDialog(QDialog):
    """登记送达: mode, date, place, receiver, refusal and witnesses, the AV link 留置送达 needs."""

    def __init__(
        self,
        session: DeskSession,
        document_id: str,
        title: str,
        addressee: str,
        officers: list[OfficerChoice],
        default_servers: tuple[str, ...],
        av_items: list[tuple[str, str]],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.document_id = document_id
        self.saved: DeliveryView | None = None
        self.setWindowTitle(f"登记送达：{title}")
        form = QFormLayout()
        self.mode = QComboBox()
        self.mode.addItems(list(DELIVERY_MODES))
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy年M月d日")
        self.time = QLineEdit()
        self.time.setPlaceholderText("时:分，如 10:30（可不填）")
        self.place = QLineEdit()
        self.addressee = QLineEdit(addressee)
        self.receiver = QLineEdit()
        self.relation = QLineEdit()
        self.relation.setPlaceholderText("代收的，写明与受送达人的关系")
        self.refused = QCheckBox("受送达人拒绝签收")
        self.refusal_reason = QLineEdit()
        self.witnesses = QPlainTextEdit()
        self.witnesses.setTabChangesFocus(True)
        self.witnesses.setPlaceholderText("每行一人：姓名，单位或身份（如：王某，东村村民委员会）")
        self.witnesses.setFixedHeight(60)
        self.av = QComboBox()
        self.av.addItem("（无）", None)
        for eid, desc in av_items:
            self.av.addItem(desc, eid)
        self.servers = _officer_list(officers, set(default_servers))
        self.note = QLineEdit()
        self.note.setPlaceholderText("邮寄的写挂号号码；公告送达写明原因和公告媒体")
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.error_lines: dict[str, QLabel] = {}
        for label, name, widget in (
            ("送达方式", "送达方式", self.mode),
            ("送达日期", "送达日期", self.day),
            ("送达时间", "送达时间", self.time),
            ("送达地点", "送达地点", self.place),
            ("受送达人", "受送达人", self.addressee),
            ("代收人", "代收人", self.receiver),
            ("代收人与受送达人关系", "代收人与受送达人关系", self.relation),
            ("", "拒收", self.refused),
            ("拒收事由", "拒收事由", self.refusal_reason),
            ("见证人", "见证人", self.witnesses),
            ("音像记录", "音像记录", self.av),
            ("送达人", "送达人", self.servers),
            ("备注", "公告情况", self.note),
        ):
            form.addRow(label, widget)
            line = QLabel()
            set_error_style(line)
            line.hide()
            form.addRow("", line)
            self.error_lines[name] = line
        form.addRow("", self.effect)
        self.mode.currentTextChanged.connect(self._mode_changed)
        self._mode_changed(self.mode.currentText())
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(600, 760)

    def _mode_changed(self, mode: str) -> None:
        notes = {
            "留置送达": "留置送达：须记明拒收事由，由基层组织或所在单位的代表见证，并关联记录送达过程的音像证据。",
            "公告送达": "公告送达：自公告之日起经过三十日，即视为送达；请在备注中写明原因和公告媒体。",
            "电子送达": "电子送达：须当事人已签订同意电子送达的送达地址确认书。",
            "邮寄送达": "邮寄送达：以回执上注明的收件日期为送达日期；请在备注中写明挂号号码。",
        }
        self.effect.setText(notes.get(mode, ""))
        if mode == "留置送达":
            self.refused.setChecked(True)

    def data(self) -> DeliveryInput:
        q = self.day.date()
        on = date(q.year(), q.month(), q.day())
        at = None
        text = self.time.text().strip().replace("：", ":")
        if text:
            try:
                hour, minute = (int(x) for x in text.split(":"))
                at = datetime(on.year, on.month, on.day, hour, minute, tzinfo=BEIJING)
            except ValueError:
                raise ValidationError.single("送达时间", "请写成 时:分，如 10:30") from None
        witnesses = []
        for line in self.witnesses.toPlainText().splitlines():
            name, _, unit = line.replace(",", "，").partition("，")
            if name.strip():
                witnesses.append({"name": name.strip(), "unit": unit.strip()})
        return DeliveryInput(
            mode=self.mode.currentText(),
            delivered_on=on,
            server_ids=_checked_ids(self.servers),
            place=self.place.text(),
            addressee=self.addressee.text(),
            delivered_at=at,
            receiver=self.receiver.text(),
            receiver_relation=self.relation.text(),
            refused=self.refused.isChecked(),
            refusal_reason=self.refusal_reason.text(),
            witnesses=tuple(witnesses),
            av_evidence_id=self.av.currentData(),
            note=self.note.text(),
        )

    def save(self) -> None:
        for line in self.error_lines.values():
            line.hide()
        try:
            self.saved = self.session.services.documents.record_delivery(
                self.session.actor, self.document_id, self.data()
            )
        except BrigadeError as exc:
            if isinstance(exc, ValidationError):
                for err in exc.errors:
                    target = self.error_lines.get(err.field)
                    if target is not None:
                        target.setText(err.message)
                        target.show()
            set_error_style(self.message)
            self.message.setText(exc.message)
            self.adjustSize()
            return
        self.accept()


# --- verification ----------------------------------------------------------------------------------


class VerifyDialog(QDialog):
    """核验文书: the number and the 验证码 printed under the QR code, or a PDF file."""

    def __init__(self, session: DeskSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("核验文书真伪")
        self.number = QLineEdit()
        self.number.setPlaceholderText("如：青综执罚决字〔2026〕第8号")
        self.code = QLineEdit()
        self.code.setPlaceholderText("二维码下方的验证码，如 F97C-FD98-29CD")
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        check = QPushButton("核验")
        check.setDefault(True)
        check.clicked.connect(self.verify_typed)
        pick = QPushButton("核验PDF文件…")
        pick.clicked.connect(self.verify_file)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        form = QFormLayout()
        form.addRow("文号", self.number)
        form.addRow("验证码", self.code)
        buttons = QHBoxLayout()
        buttons.addWidget(check)
        buttons.addWidget(pick)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(520, 220)

    def _show(self, ok: bool, text: str) -> None:
        self.result_label.setStyleSheet("" if ok else f"color: {ERROR};")
        self.result_label.setText(("✔ " if ok else "✘ ") + text)

    def verify_typed(self) -> None:
        if not self.number.text().strip() or not self.code.text().strip():
            self._show(False, "请填写文号和验证码")
            return
        try:
            result = self.session.services.documents.verify_code(
                self.session.actor, self.number.text(), self.code.text()
            )
        except BrigadeError as exc:
            self._show(False, exc.message)
            return
        self._show(result.ok, result.message)

    def verify_file(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "选择要核验的PDF", str(Path.home()), "PDF (*.pdf)")
            if not path:
                return
        try:
            result = self.session.services.documents.verify_pdf(self.session.actor, Path(path))
        except BrigadeError as exc:
            self._show(False, exc.message)
            return
        self._show(result.ok, result.message)


class ListDialog(QDialog):
    """A read-only list of lines with a title (the self-check before archiving)."""

    def __init__(self, title: str, intro: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        label = QLabel(intro)
        label.setWordWrap(True)
        items = QListWidget()
        items.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        items.addItems(lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(items)
        layout.addWidget(buttons)
        self.resize(640, 360)
