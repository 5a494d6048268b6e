"""The main window: navigation on the left, pages on the right, search at the top, who and where below.

Every page acts as the person signed in at that moment, asking `DeskSession` for the actor when it
acts; 切换用户 changes that one place and tells every page. 锁定 (by hand or after the configured
idle time) hides the pages behind a lock screen until the same person's password is typed.

A county store (set up with `init --county` or 首次设置's 县级) shows 县级总览 first and leaves out the
pages for handling a township's own cases (案件, 审核, 文书): the county reads townships' cases, it
never works on them (docs/decisions/gui-county-pages.md).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from brigade_desk.core.errors import BrigadeError
from brigade_desk.gui.idle import IdleWatcher
from brigade_desk.gui.lock_screen import LockScreen
from brigade_desk.gui.pages.base import Page
from brigade_desk.gui.pages.cases import CasesPage
from brigade_desk.gui.pages.county import CountyPage
from brigade_desk.gui.pages.dashboard import DashboardPage
from brigade_desk.gui.pages.documents import DocumentsPage
from brigade_desk.gui.pages.placeholder import PLACEHOLDERS, PlaceholderPage
from brigade_desk.gui.pages.reviews import ReviewsPage
from brigade_desk.gui.pages.settings import SettingsPage
from brigade_desk.gui.pages.sync import SyncPage
from brigade_desk.gui.session import DeskSession
from brigade_desk.gui.sign_in import SignInDialog
from brigade_desk.gui.tasks import TaskRunner

APP_TITLE = "乡镇综合执法办案台"
SEARCH_DELAY_MS = 300  # typing in the search box filters the case list after this pause
PAGE_ORDER = ("dashboard", "cases", "reviews", "documents", "sync", "statistics", "settings")
# A county store: the overview first; 工作台 stays for the deadlines across the townships and backups.
COUNTY_PAGE_ORDER = ("county", "dashboard", "sync", "statistics", "settings")


def page_order_for(organ_kind: str | None) -> tuple[str, ...]:
    return COUNTY_PAGE_ORDER if organ_kind == "county" else PAGE_ORDER


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: DeskSession,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        sign_in_dialog: Callable[..., SignInDialog] = SignInDialog,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or TaskRunner(self)
        self.sign_in_dialog = sign_in_dialog
        self.setMinimumSize(QSize(1000, 640))

        # --- pages ------------------------------------------------------------------------------
        self.dashboard = DashboardPage(session, self.runner)
        self.cases = CasesPage(session)
        self.settings = SettingsPage(session)
        self.settings.settings_saved.connect(self.apply_idle_setting)
        placeholders = {key: PlaceholderPage(session, key, title, text) for key, title, text in PLACEHOLDERS}
        self.reviews = ReviewsPage(session)
        self.sync = SyncPage(session, self.runner)
        self.documents = DocumentsPage(session)
        self.pages: dict[str, Page] = {
            "dashboard": self.dashboard,
            "cases": self.cases,
            **placeholders,
            "documents": self.documents,
            "sync": self.sync,
            "reviews": self.reviews,
            "settings": self.settings,
        }
        self.is_county = session.organ is not None and session.organ.kind == "county"
        self.page_order = page_order_for(session.organ.kind if session.organ else None)
        self.county: CountyPage | None = None
        if self.is_county:
            self.county = CountyPage(session, self.runner)
            self.pages["county"] = self.county
        self.dashboard.open_case.connect(self.open_case)
        self.reviews.open_case.connect(self.open_case)
        self.documents.open_document.connect(self.open_document)
        # A step recorded on one page makes the others show old figures: they reload when next shown.
        self.reviews.changed.connect(lambda: self._mark_stale(self.cases, self.dashboard))
        self.sync.changed.connect(lambda: self._mark_stale(self.cases, self.dashboard, self.reviews))
        if self.county is not None:  # an import changes the townships' figures
            self.sync.changed.connect(self.county.mark_stale)
        self.cases.detail.case_changed.connect(
            lambda _id: self._mark_stale(self.reviews, self.dashboard, self.documents)
        )
        self.cases.leads.changed.connect(lambda: self._mark_stale(self.reviews, self.dashboard))
        self.cases.case_created.connect(lambda _id: self._mark_stale(self.reviews, self.dashboard))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.pages_stack = QStackedWidget()
        for number, key in enumerate(self.page_order):
            page = self.pages[key]
            item = QListWidgetItem(page.title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{page.title}（Ctrl+{number + 1}）")
            self.nav.addItem(item)
            self.pages_stack.addWidget(page)
        # Pages a county does not show still belong to the window (never shown, never refreshed).
        for key, page in self.pages.items():
            if key not in self.page_order:
                self.pages_stack.addWidget(page)
        nav_font = self.nav.font()
        nav_font.setPointSizeF(nav_font.pointSizeF() * 1.15)
        self.nav.setFont(nav_font)
        widest = max(self.nav.fontMetrics().horizontalAdvance(self.pages[k].title) for k in self.page_order)
        self.nav.setFixedWidth(max(self.nav.fontMetrics().horizontalAdvance("工作台") * 2, widest + 32) + 24)
        self.nav.setSpacing(3)
        self.nav.currentRowChanged.connect(self._on_nav_row)

        workspace = QWidget()
        work_layout = QHBoxLayout(workspace)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.setSpacing(0)
        work_layout.addWidget(self.nav)
        work_layout.addWidget(self.pages_stack, 1)

        self.lock_screen = LockScreen(session)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switch_user_requested.connect(self.switch_user)

        self.body = QStackedWidget()
        self.body.addWidget(workspace)
        self.body.addWidget(self.lock_screen)
        self.setCentralWidget(self.body)

        # --- actions, menu, toolbar ---------------------------------------------------------------
        self.switch_user_action = QAction("切换用户…", self)
        self.switch_user_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.switch_user_action.triggered.connect(self.switch_user)
        self.lock_action = QAction("锁定", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.refresh_action = QAction("刷新", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.triggered.connect(self.refresh_current)
        self.find_action = QAction("查找", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.focus_search)
        self.quit_action = QAction("退出", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.page_actions: list[QAction] = []
        for number, key in enumerate(self.page_order):
            action = QAction(self.pages[key].title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.triggered.connect(lambda _checked=False, k=key: self.go_to(k))
            self.page_actions.append(action)

        menu = self.menuBar()
        account_menu = menu.addMenu("账户(&A)")
        account_menu.addAction(self.switch_user_action)
        account_menu.addAction(self.lock_action)
        account_menu.addSeparator()
        account_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("视图(&V)")
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        for action in self.page_actions:
            view_menu.addAction(action)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("查找（Ctrl+F）：案号、当事人、案由…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.setMaximumWidth(520)
        self.search.returnPressed.connect(self.run_search)
        self.search.textChanged.connect(self._on_search_text)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._live_search)

        self.toolbar = QToolBar("工具栏")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.refresh_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.switch_user_action)
        self.toolbar.addAction(self.lock_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.search)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        # --- status bar ------------------------------------------------------------------------------
        self.user_label = QLabel()
        self.organ_label = QLabel()
        self.store_label = QLabel()
        self.store_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = self.statusBar()
        status.addWidget(self.user_label)
        status.addWidget(self.organ_label)
        status.addPermanentWidget(self.store_label)

        # --- idle lock -------------------------------------------------------------------------------
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self._on_idle)

        # Reading order for Tab: the search box, the navigation, then the page shown.
        QWidget.setTabOrder(self.search, self.nav)

        session.actor_changed.connect(self._on_actor_changed)
        self._show_identity()
        self.apply_idle_setting()
        self.go_to(self.page_order[0])

    # --- navigation ------------------------------------------------------------------------------

    def current_key(self) -> str:
        page = self.pages_stack.currentWidget()
        return page.key if isinstance(page, Page) else ""

    def current_page(self) -> Page:
        page = self.pages_stack.currentWidget()
        assert isinstance(page, Page)
        return page

    def go_to(self, key: str) -> None:
        """Show a page of the navigation (a page this store does not show is refused: ValueError)."""
        row = self.page_order.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _on_nav_row
        else:
            self._on_nav_row(row)

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        page = self.pages[self.page_order[row]]
        self.pages_stack.setCurrentWidget(page)
        page.ensure_fresh()

    def refresh_current(self) -> None:
        if not self.is_locked():
            self.current_page().refresh()

    # --- search ----------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def run_search(self) -> None:
        """Give the search text to the page shown; a page with nothing to search hands it to 案件
        (at a county, to 县级总览, which searches every township)."""
        self.search_timer.stop()
        text = self.search.text()
        if not self.current_page().apply_search(text):
            target: Page = self.county or self.cases
            self.go_to(target.key)
            target.apply_search(text)

    def _on_search_text(self, text: str) -> None:
        if not text:  # the clear button or deleting everything shows everything again
            self.search_timer.stop()
            self.current_page().apply_search("")
            return
        live = getattr(self.current_page(), "live_search", None)
        if live is not None and live():
            self.search_timer.start()  # restarts while the person keeps typing

    def _live_search(self) -> None:
        self.current_page().apply_search(self.search.text())

    @staticmethod
    def _mark_stale(*pages: Page) -> None:
        for page in pages:
            page.mark_stale()

    def open_case(self, case_id: str) -> None:
        """Show a case in 案件 (from the dashboard's board or a review list); at a county, read only."""
        if self.county is not None:
            self.county.open_case(case_id)
            return
        self.go_to("cases")
        self.cases.open_case(case_id)

    def open_document(self, case_id: str, document_id: str) -> None:
        """Show a document (from the 文书 page) in its case's 文书 tab."""
        self.go_to("cases")
        self.cases.open_case(case_id)
        self.cases.detail.show_document(document_id)

    # --- who is signed in ------------------------------------------------------------------------

    def _show_identity(self) -> None:
        organ = self.session.organ
        organ_name = organ.name if organ else "（尚未设置执法主体）"
        self.setWindowTitle(f"{APP_TITLE} — {organ_name}")
        self.user_label.setText(f"当前用户：{self.session.person_label()}")
        self.organ_label.setText(f"执法主体：{organ_name}")
        self.store_label.setText(f"数据：{self.session.services.store.display_name()}")

    def _on_actor_changed(self) -> None:
        self._show_identity()
        for page in self.pages.values():
            page.on_actor_changed()
        self.apply_idle_setting()

    def switch_user(self) -> bool:
        """Sign in as another person without closing the application; cancel keeps things as they were."""
        dialog = self.sign_in_dialog(
            self.session.services,
            self,
            title="切换用户",
            note="请新用户输入本人的登录名和密码；取消则保持当前状态。",
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
            return False
        self.session.switch_to(dialog.actor)
        if self.is_locked():
            self.unlock()
        return True

    # --- lock --------------------------------------------------------------------------------------

    def is_locked(self) -> bool:
        return self.body.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.is_locked():
            return
        self.idle.pause()
        try:
            self.session.services.users.record_screen_lock(self.session.actor)
        except BrigadeError as exc:  # locking must never fail because the record could not be written
            self.statusBar().showMessage(f"锁定未能记入全过程记录：{exc.message}", 10_000)
        self.lock_screen.prepare()
        self.body.setCurrentWidget(self.lock_screen)
        self._set_work_actions_enabled(False)
        self.lock_screen.password.setFocus()

    def unlock(self) -> None:
        self.body.setCurrentWidget(self.body.widget(0))
        self._set_work_actions_enabled(True)
        self.idle.resume()
        self.current_page().ensure_fresh()

    def _set_work_actions_enabled(self, enabled: bool) -> None:
        for action in (self.lock_action, self.refresh_action, self.find_action, *self.page_actions):
            action.setEnabled(enabled)
        self.search.setEnabled(enabled)

    def apply_idle_setting(self) -> None:
        try:
            minutes = int(self.session.services.settings.get(self.session.actor, "idle_lock_minutes"))
        except BrigadeError:
            minutes = 0
        self.idle.set_timeout_minutes(minutes)
        if self.is_locked():
            self.idle.pause()

    def _on_idle(self) -> None:
        # A dialog in the middle of being filled in would lose its text if closed; lock once it is done.
        if QApplication.activeModalWidget() is not None:
            self.idle.restart()
            return
        self.lock()

    # --- closing -----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.active():
            answer = QMessageBox.question(
                self, "退出", "备份仍在进行，退出将取消这次备份（不会留下不完整的文件）。确定退出？"
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.runner.cancel_all()
            self.runner.wait(30_000)
        self.idle.uninstall()
        super().closeEvent(event)
