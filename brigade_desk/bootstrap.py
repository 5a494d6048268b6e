"""Set-up for a fresh machine, using only the standard library (it runs before anything is installed).

    python3 -m brigade_desk.bootstrap run     # create .venv, install, open the application
    python3 -m brigade_desk.bootstrap test    # create .venv, install, run lint, types and the tests
    python3 -m brigade_desk.bootstrap test --slow   # the slow fault-injection suite

On Linux it also installs the system libraries Qt needs when they are missing and it may (root, or
sudo without a password); otherwise it names the packages to install and goes on.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
STAMP = VENV / ".brigade-desk-installed"
MIN_PYTHON = (3, 11)

# Shared library -> Debian package. Offscreen Qt (tests) needs the first group; a real window needs
# the xcb group too (TECH-NOTES.md).
QT_LIBS = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libX11.so.6": "libx11-6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libxkbcommon.so.0": "libxkbcommon0",
}
XCB_LIBS = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
# Programs the tests use to look at documents: PDF to text/PNG, and LibreOffice to open our DOCX
# the way a clerk's office suite would (issue 4 checks its text matches the PDF).
TEST_TOOLS = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "soffice": "libreoffice-writer-nogui",
}


def say(message: str) -> None:
    print(f"[brigade-desk] {message}", flush=True)


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def missing_libraries(libs: dict[str, str]) -> list[str]:
    try:
        known = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return []  # no ldconfig: cannot tell, let Qt report
    return sorted({pkg for lib, pkg in libs.items() if lib not in known})


def install_system_packages(packages: list[str]) -> None:
    if not packages:
        return
    if shutil.which("apt-get") is None:
        say("缺少系统库（请用本系统的包管理器安装对应软件包）：" + " ".join(packages))
        return
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        say("缺少系统库，请以管理员身份运行：sudo apt-get install -y " + " ".join(packages))
        return
    say("安装系统库：" + " ".join(packages))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *packages], check=False, env=env)
    if result.returncode != 0:
        say("系统库安装失败，请手动安装：" + " ".join(packages))


def system_packages(for_tests: bool) -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    needed = missing_libraries(QT_LIBS) + ([] if for_tests else missing_libraries(XCB_LIBS))
    if for_tests:
        needed += [pkg for tool, pkg in TEST_TOOLS.items() if shutil.which(tool) is None]
    return sorted(set(needed))


def ensure_venv() -> None:
    if sys.version_info < MIN_PYTHON:
        raise SystemExit(
            f"需要 Python {'.'.join(map(str, MIN_PYTHON))} 或更新版本，当前为 {sys.version.split()[0]}"
        )
    if not venv_bin("python").exists():
        say(f"创建虚拟环境 {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("安装依赖（首次需要几分钟）")
    python = str(venv_bin("python"))
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run_app(args: list[str]) -> int:
    install_system_packages(system_packages(for_tests=False))
    ensure_venv()
    return subprocess.run([str(venv_bin("brigade-desk")), *args], check=False).returncode


def run_tests(args: list[str]) -> int:
    install_system_packages(system_packages(for_tests=True))
    ensure_venv()
    slow = "--slow" in args
    args = [a for a in args if a != "--slow"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    steps: list[tuple[str, list[str]]] = []
    if not slow:
        steps += [
            ("ruff check", [str(venv_bin("ruff")), "check", "brigade_desk", "tests", "benchmarks", "db"]),
            (
                "ruff format",
                [str(venv_bin("ruff")), "format", "--check", "brigade_desk", "tests", "benchmarks"],
            ),
            ("mypy", [str(venv_bin("mypy"))]),
        ]
    marker = ["-m", "slow"] if slow else []
    steps.append(("pytest", [str(venv_bin("python")), "-m", "pytest", *marker, *args]))
    for name, command in steps:
        say(f"{name} …")
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        if name == "pytest" and slow and code == 5:
            say("没有慢速测试")  # pytest's "no tests collected"
            code = 0
        if code != 0:
            say(f"{name} 失败（退出码 {code}）")
            return code
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    return run_app(argv[1:]) if argv[0] == "run" else run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
