"""同步: bundles with the county — export with progress and cancel, import after the verification
result and the dry-run table, the history sent and received with receipts, what is held, the
quarantine and what the other side rejected; and the exchange partners (交换对象): this organ's card
to carry to the other side, registering the other side's card, stopping and resuming a partner.

Long work runs through the TaskRunner (brigade_desk/gui/tasks.py); the page only calls
`services.sync` (and `services.cases` to rebuild the search index after a large import).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.core.rules.permissions import Permission
from brigade_desk.core.services.sync import BundleView, PeerView
from brigade_desk.core.sync.importer import ImportResult
from brigade_desk.core.sync.records import TYPES
from brigade_desk.gui.formatting import show_datetime
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.peer_dialog import PeerDialog
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.style import CLOSED, colour
from brigade_desk.gui.tables import fill_table, read_only_table
from brigade_desk.gui.tasks import TaskHandle, TaskRunner

KIND_LABELS = {"town_data": "案件数据", "county_data": "基础数据与回执"}
STATUS_TEXT = {
    "verified": "校验通过",
    "dry_run": "校验通过，试导入结果如下",
    "held": "将暂存",
    "duplicate": "已导入过",
    "still_held": "已暂存",
}


def _error_text(error: object) -> str:
    if isinstance(error, BrigadeError):
        return error.message
    return f"{type(error).__name__}: {error}"


def _with_button(table: QTableWidget, button: QPushButton) -> QWidget:
    """A tab's content: the table, and under it the button that acts on it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table)
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
    return box


def outcome_rows(result: ImportResult) -> list[list[str]]:
    rows = []
    for name, c in result.counts.items():
        label = TYPES[name].label if name in TYPES else name
        rows.append([label, str(c["created"]), str(c["updated"]), str(c["skipped"]), str(c["refused"])])
    return rows


class ImportReviewDialog(QDialog):
    """The verification result and the dry-run table; 导入 applies, 取消 leaves the store as it is."""

    def __init__(self, result: ImportResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入数据包")
        self.result = result
        layout = QVBoxLayout(self)
        head = QLabel(
            f"{result.sender_name}（{result.sender_area_code}）第 {result.sequence} 号数据包，"
            f"{KIND_LABELS.get(result.kind, result.kind)}：{STATUS_TEXT.get(result.status, result.status)}"
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        self.message = QLabel(result.message)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = read_only_table(["记录类型", "新增", "更新", "未变", "拒收"])
        if result.status == "dry_run":
            fill_table(self.table, outcome_rows(result), right=(1, 2, 3, 4))
            layout.addWidget(self.table)
        self.refusals = read_only_table(["记录类型", "标识", "拒收原因"])
        if result.refusals:
            layout.addWidget(
                QLabel(f"将拒收 {len(result.refusals)} 条（导入后保存在隔离区，可查看和导出）：")
            )
            fill_table(
                self.refusals,
                [
                    [
                        TYPES[r.record_type].label if r.record_type in TYPES else r.record_type,
                        r.record_id,
                        r.reason,
                    ]
                    for r in result.refusals[:500]
                ],
            )
            layout.addWidget(self.refusals)
        buttons = QDialogButtonBox()
        if result.status in ("dry_run", "held"):
            self.apply_button = buttons.addButton(
                "导入" if result.status == "dry_run" else "暂存", QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 520)


class SyncPage(Page):
    key = "sync"
    title = "同步"
    changed = Signal()  # an import changed data other pages show

    def __init__(self, session: DeskSession, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = runner
        self.task: TaskHandle | None = None
        # Tests and scripts answer the review dialog instead of a person.
        self.confirm_import = self._ask_import

        heading = QLabel("同步")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        self.identity = QLabel()
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity.setWordWrap(True)
        self.card_button = QPushButton("保存本机关名片…")
        self.card_button.setToolTip("把本机关的名称、区划代码和公钥写成文件，拷给对方登记")
        self.card_button.clicked.connect(self.choose_card_file)
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.card_button, 0, Qt.AlignmentFlag.AlignTop)

        self.export_button = QPushButton("导出数据包…")
        self.export_button.clicked.connect(self.choose_export)
        self.full_box = QCheckBox("完整导出（不只是上次回执以来的变化）")
        self.import_button = QPushButton("导入数据包…")
        self.import_button.clicked.connect(self.choose_import)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.note = QLabel()  # why an action is unavailable, or what just happened
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        actions = QHBoxLayout()
        for widget in (
            self.export_button,
            self.full_box,
            self.import_button,
            self.progress,
            self.cancel_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)

        self.history = read_only_table(["方向", "对方", "序号", "时间", "内容", "记录数", "状态", "说明"])
        self.history.itemSelectionChanged.connect(self._update_resend_button)
        self.history_rows: list[BundleView] = []
        self.resend_button = QPushButton("再次拷出…")
        self.resend_button.setToolTip("U盘丢失或损坏时，把本机留存的这个已发出的数据包再拷一份")
        self.resend_button.clicked.connect(self.choose_resend)
        history_box = _with_button(self.history, self.resend_button)
        self.held = read_only_table(["发送方", "序号", "时间", "等待"])
        self.quarantine = read_only_table(["时间", "发送方", "记录类型", "标识", "拒收原因"])
        self.rejections = read_only_table(["我方数据包", "记录类型", "标识", "对方拒收原因"])
        self.export_quarantine_button = QPushButton("导出隔离区…")
        self.export_quarantine_button.clicked.connect(self.choose_quarantine_export)
        quarantine_box = _with_button(self.quarantine, self.export_quarantine_button)
        # 交换对象: who this organ exchanges bundles with.
        self.peers = read_only_table(
            ["类型", "机关名称", "区划代码", "公钥指纹", "登记时间", "已收到至", "已发出至", "状态"]
        )
        self.peers.itemSelectionChanged.connect(self._update_peer_buttons)
        self.peer_rows: list[PeerView] = []
        self.add_peer_button = QPushButton("登记交换对象…")
        self.add_peer_button.clicked.connect(self.add_peer)
        self.peer_active_button = QPushButton("停用")
        self.peer_active_button.clicked.connect(self.toggle_peer_active)
        self.rekey_button = QPushButton("更换其公钥…")
        self.rekey_button.clicked.connect(self.rekey_peer)
        self.renew_button = QPushButton("更换本机关密钥…")
        self.renew_button.clicked.connect(self.ask_renew_own_key)
        self.peer_note = QLabel()  # why the buttons are unavailable
        self.peer_note.setWordWrap(True)
        peer_buttons = QHBoxLayout()
        peer_buttons.addWidget(self.add_peer_button)
        peer_buttons.addWidget(self.peer_active_button)
        peer_buttons.addWidget(self.rekey_button)
        peer_buttons.addWidget(self.renew_button)
        peer_buttons.addWidget(self.peer_note, 1)
        peers_box = QWidget()
        p_layout = QVBoxLayout(peers_box)
        p_layout.setContentsMargins(0, 0, 0, 0)
        p_layout.addLayout(peer_buttons)
        p_layout.addWidget(self.peers)

        self.tabs = QTabWidget()
        self.tabs.addTab(history_box, "收发记录")
        self.tabs.addTab(self.held, "暂存")
        self.tabs.addTab(quarantine_box, "隔离区")
        self.tabs.addTab(self.rejections, "对方拒收")
        self.tabs.addTab(peers_box, "交换对象")
        self.peers_tab = peers_box

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(identity_row)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)

    # --- what the page shows -----------------------------------------------------------------------

    def refresh(self) -> None:
        super().refresh()
        actor = self.session.actor
        allowed = actor.can(Permission.SYNC_EXCHANGE)
        busy = self.task is not None and self.task.running
        self.export_button.setEnabled(allowed and not busy)
        self.import_button.setEnabled(allowed and not busy)
        self.export_quarantine_button.setEnabled(allowed)
        self.card_button.setEnabled(allowed)
        if not allowed:
            self.identity.setText("")
            self.note.setText(f"{actor.display_name}无权交换数据包：请由内勤或管理员登录后操作。")
            for table in (self.history, self.held, self.quarantine, self.rejections, self.peers):
                table.setRowCount(0)
            self.peer_rows, self.history_rows = [], []
            self._update_peer_buttons()
            self._update_resend_button()
            return
        try:
            status = self.services.sync.status(actor)
            quarantine = self.services.sync.quarantine(actor, limit=500)
        except BrigadeError as exc:
            self.note.setText(exc.message)
            return
        active = [p for p in status.peers if p.active]
        if not status.peers:
            partners = "尚未登记交换对象：请在下方“交换对象”标签页登记对方的机关名片。"
        elif len(active) <= 2:  # a township's county (or a county with a township or two): name them
            partners = "交换对象：" + (
                "；".join(f"{p.name}（{p.area_code}，指纹 {p.fingerprint}）" for p in active) or "全部已停用"
            )
        else:
            partners = f"交换对象 {len(active)} 个（见“交换对象”标签页）。"
        if status.key:
            self.identity.setText(
                f"本机关：{status.key.organ_name}（{status.key.area_code}），"
                f"公钥指纹 {status.key.fingerprint}。{partners}"
            )
        else:
            self.identity.setText(f"本机关的签名密钥将在第一次导出或保存本机关名片时生成。{partners}")
        self._fill_peers(status.peers)
        self.history_rows = sorted(status.sent + status.received, key=lambda b: b.created_at, reverse=True)
        fill_table(
            self.history,
            [
                [
                    "发出" if b.direction == "sent" else "收到",
                    b.counterpart,
                    str(b.sequence),
                    show_datetime(b.created_at),
                    KIND_LABELS.get(b.kind, b.kind),
                    str(sum(b.counts.values())),
                    b.status_label,
                    b.status_reason,
                ]
                for b in self.history_rows
            ],
            right=(2, 5),
        )
        self._update_resend_button()
        fill_table(
            self.held,
            [
                [b.counterpart, str(b.sequence), show_datetime(b.created_at), b.status_reason]
                for b in status.held
            ],
            right=(1,),
        )
        fill_table(
            self.quarantine,
            [
                [show_datetime(q.at), q.sender_area_code, q.type_label, q.record_id, q.reason]
                for q in quarantine
            ],
        )
        fill_table(
            self.rejections,
            [[f"第{r.sequence}号", r.type_label, r.record_id, r.reason] for r in status.rejections],
        )
        self.tabs.setTabText(1, f"暂存（{len(status.held)}）")
        self.tabs.setTabText(2, f"隔离区（{status.quarantined}）")
        self.tabs.setTabText(3, f"对方拒收（{len(status.rejections)}）")
        self.tabs.setTabText(4, f"交换对象（{len(status.peers)}）")

    # --- exchange partners -------------------------------------------------------------------------

    def _fill_peers(self, peers: list[PeerView]) -> None:
        selected = self.selected_peer()
        self.peer_rows = list(peers)
        fill_table(
            self.peers,
            [
                [
                    "县级" if p.kind == "county" else "乡镇",
                    p.name,
                    p.area_code,
                    p.fingerprint,
                    show_datetime(p.registered_at),
                    f"第{p.last_received}号" if p.last_received else "—",
                    f"第{p.last_sent}号" if p.last_sent else "—",
                    "启用" if p.active else "已停用",
                ]
                for p in peers
            ],
        )
        for row, p in enumerate(peers):
            if not p.active:
                for column in range(self.peers.columnCount()):
                    item = self.peers.item(row, column)
                    if item is not None:
                        item.setForeground(colour(CLOSED))
        if selected is not None:
            for row, p in enumerate(peers):
                if p.area_code == selected.area_code:
                    self.peers.selectRow(row)
        self._update_peer_buttons()

    def selected_peer(self) -> PeerView | None:
        rows = {index.row() for index in self.peers.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.peer_rows[row] if 0 <= row < len(self.peer_rows) else None

    def select_peer(self, area_code: str) -> None:
        for row, p in enumerate(self.peer_rows):
            if p.area_code == area_code:
                self.peers.selectRow(row)
                return

    def _update_peer_buttons(self) -> None:
        manage = self.session.can(Permission.SETTINGS_MANAGE)
        peer = self.selected_peer()
        self.add_peer_button.setEnabled(manage)
        self.peer_active_button.setText("启用" if peer is not None and not peer.active else "停用")
        self.peer_active_button.setEnabled(manage and peer is not None)
        self.rekey_button.setEnabled(manage and peer is not None)
        self.renew_button.setEnabled(manage)
        if not self.session.can(Permission.SYNC_EXCHANGE):
            self.peer_note.setText("")
        elif not manage:
            self.peer_note.setText(
                "登记、停用交换对象须由管理员操作；内勤可保存本机关名片、导出和导入数据包。"
            )
        elif peer is None:
            self.peer_note.setText("选中一个交换对象可停用或重新启用；停用后不再接收其数据包。")
        else:
            self.peer_note.setText("")

    def add_peer(self) -> PeerDialog:
        """Open 登记交换对象 (window-modal); the list shows the new partner once it is saved."""
        dialog = PeerDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.peer_added(dialog.added) if dialog.added else None)
        dialog.open()
        return dialog

    def rekey_peer(self) -> PeerDialog | None:
        """更换其公钥: the selected partner made a new key; register it on the same registration."""
        peer = self.selected_peer()
        if peer is None:
            return None
        dialog = PeerDialog(self.session, self, replacing=peer)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.peer_added(dialog.added, "已更换") if dialog.added else None)
        dialog.open()
        return dialog

    def ask_renew_own_key(self) -> None:
        reason, ok = QInputDialog.getText(
            self,
            "更换本机关密钥",
            "本机关的签名密钥文件丢失（如换了电脑）时才需更换。更换后对方须登记新名片，"
            "才能接收本机的数据包。\n更换原因：",
        )
        if ok:
            self.renew_own_key(reason)

    def renew_own_key(self, reason: str) -> bool:
        try:
            key = self.services.sync.renew_own_key(self.session.actor, reason)
        except BrigadeError as exc:
            self.note.setText(f"未更换密钥：{exc.message}")
            return False
        self.note.setText(
            f"已生成本机关新的签名密钥，指纹 {key.fingerprint}。请“保存本机关名片…”交给对方，"
            "对方用“更换其公钥…”登记并电话核对新指纹。"
        )
        self.refresh()
        return True

    def peer_added(self, peer: PeerView, done: str = "已登记") -> None:
        self.note.setText(f"{done} {peer.name}（{peer.area_code}），公钥指纹 {peer.fingerprint}")
        self.refresh()
        self.tabs.setCurrentWidget(self.peers_tab)
        self.select_peer(peer.area_code)

    def toggle_peer_active(self) -> None:
        peer = self.selected_peer()
        if peer is None:
            return
        try:
            self.services.sync.set_peer_active(self.session.actor, peer.area_code, not peer.active)
        except BrigadeError as exc:
            self.note.setText(exc.message)
            return
        self.note.setText(
            f"已重新启用 {peer.name}（{peer.area_code}）"
            if not peer.active
            else f"已停用 {peer.name}（{peer.area_code}）：不再接收其数据包，可随时重新启用"
        )
        self.refresh()
        self.select_peer(peer.area_code)

    def choose_card_file(self) -> None:
        organ = self.session.organ
        stem = organ.name if organ else "本机关"
        name, _filter = QFileDialog.getSaveFileName(
            self, "保存本机关名片", str(Path.home() / f"{stem}-机关名片.json"), "机关名片 (*.json)"
        )
        if name:
            self.save_card(Path(name))

    def save_card(self, path: Path) -> bool:
        """Write this organ's card (as `brigade-desk peers key -o` does) for the other side to register."""
        try:
            card = self.services.sync.peer_card(self.session.actor)
            key = self.services.sync.own_key(self.session.actor)
            path.write_text(card + "\n", encoding="utf-8")
        except BrigadeError as exc:
            self.note.setText(f"保存本机关名片未完成：{exc.message}")
            return False
        except OSError as exc:
            self.note.setText(f"保存本机关名片未完成：{exc}")
            return False
        self.note.setText(
            f"已保存本机关名片：{path}。请拷给对方登记，并在电话中与对方核对公钥指纹 {key.fingerprint}。"
        )
        self.refresh()
        return True

    # --- long work ---------------------------------------------------------------------------------

    def _start(
        self, name: str, function: Any, on_success: Any, *, cancellable: bool = True
    ) -> TaskHandle | None:
        if self.task is not None and self.task.running:
            return None
        handle = self.runner.submit(name, function)
        self.task = handle
        self.export_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.resend_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        self.note.setText(f"正在{name}…")

        def on_progress(done: int, total: int) -> None:
            scale = max(total // 1_000_000, 1)  # QProgressBar holds an int
            self.progress.setRange(0, max(total // scale, 1))
            self.progress.setValue(done // scale)

        handle.progress.connect(on_progress)
        handle.succeeded.connect(on_success)
        handle.failed.connect(lambda error: self.note.setText(f"{name}未完成：{_error_text(error)}"))
        handle.cancelled.connect(lambda: self.note.setText(f"已取消{name}，未留下不完整的文件或数据"))
        handle.finished.connect(self._finished)
        return handle

    def _finished(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.mark_stale()
        self.refresh()

    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.note.setText("正在取消…")

    def choose_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择导出位置（如U盘）", str(Path.home()))
        if folder:
            self.export_to(Path(folder), full=self.full_box.isChecked())

    def export_to(self, folder: Path, *, full: bool = False) -> TaskHandle | None:
        actor, sync = self.session.actor, self.services.sync

        def done(results: object) -> None:
            lines = [
                f"已导出第 {r.sequence} 号数据包给{r.receiver_name}：{r.path}（{sum(r.counts.values())} 条记录，"
                f"{r.files} 个附件，{r.bytes / 1e6:.1f} MB）"
                for r in results  # type: ignore[attr-defined]
            ]
            self.note.setText("\n".join(lines))

        return self._start(
            "导出数据包", lambda progress: sync.export(actor, folder, full=full, progress=progress), done
        )

    # --- a sent bundle again -------------------------------------------------------------------------

    def selected_bundle(self) -> BundleView | None:
        rows = {index.row() for index in self.history.selectionModel().selectedRows()}
        return self.history_rows[rows.pop()] if len(rows) == 1 else None

    def _update_resend_button(self) -> None:
        bundle = self.selected_bundle()
        busy = self.task is not None and self.task.running
        self.resend_button.setEnabled(
            bundle is not None
            and bundle.direction == "sent"
            and self.session.actor.can(Permission.SYNC_EXCHANGE)
            and not busy
        )

    def choose_resend(self) -> None:
        bundle = self.selected_bundle()
        if bundle is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "选择拷出位置（如U盘）", str(Path.home()))
        if folder:
            self.resend_to(bundle, Path(folder))

    def resend_to(self, bundle: BundleView, folder: Path) -> TaskHandle | None:
        """Copy the kept copy of a sent bundle again (a lost or damaged USB stick)."""
        actor, sync = self.session.actor, self.services.sync
        sequence, area = bundle.sequence, bundle.counterpart_area_code

        def done(path: object) -> None:
            self.note.setText(f"已再次拷出发给{bundle.counterpart}的第 {sequence} 号数据包：{path}")

        return self._start(
            "再次拷出数据包",
            lambda _progress: sync.resend(actor, sequence, folder, area),
            done,
            cancellable=False,  # one file copied by the system; it cannot stop half way
        )

    def choose_import(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "选择要导入的数据包", str(Path.home()), "数据包 (*.bdbundle);;所有文件 (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> TaskHandle | None:
        """Verify and dry-run in the background; show the result; apply when the person agrees."""
        actor, sync = self.session.actor, self.services.sync

        def reviewed(value: object) -> None:
            result: ImportResult = value  # type: ignore[assignment]
            self.note.setText(
                f"{path.name}：{STATUS_TEXT.get(result.status, result.status)}。{result.message}"
            )
            if result.status in ("dry_run", "held") and self.confirm_import(result):
                # The task that ran the dry run has finished; start the real import after it.
                self._pending = path

        self._pending: Path | None = None
        handle = self._start(
            "校验数据包",
            lambda progress: sync.import_bundle(actor, path, dry_run=True, progress=progress),
            reviewed,
        )
        if handle is not None:
            handle.finished.connect(self._apply_pending)
        return handle

    def _apply_pending(self) -> None:
        path, self._pending = self._pending, None
        if path is None:
            return
        actor, sync, cases = self.session.actor, self.services.sync, self.services.cases

        def work(progress: Any) -> ImportResult:
            result = sync.import_bundle(actor, path, progress=progress)
            if result.status == "applied":
                cases.rebuild_search_if_needed()
            return result

        def applied(value: object) -> None:
            result: ImportResult = value  # type: ignore[assignment]
            released = "".join(f"；已自动导入暂存的第 {r.sequence} 号" for r in result.released)
            self.note.setText(f"{result.message}{released}")
            self.changed.emit()

        self._start("导入数据包", work, applied)

    def _ask_import(self, result: ImportResult) -> bool:
        return ImportReviewDialog(result, self).exec() == QDialog.DialogCode.Accepted

    def choose_quarantine_export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, "导出隔离区记录", str(Path.home() / "隔离区.jsonl"), "JSON Lines (*.jsonl)"
        )
        if name:
            try:
                count = self.services.sync.export_quarantine(self.session.actor, Path(name))
            except (BrigadeError, OSError) as exc:
                self.note.setText(f"导出隔离区未完成：{_error_text(exc)}")
                return
            self.note.setText(f"已导出隔离区记录 {count} 条：{name}")
