"""Brigade Desk (乡镇综合执法办案台).

This package's top level stays free of third-party imports: `brigade_desk.bootstrap` runs on a
bare Python before the virtual environment exists.
"""

__version__ = "0.1.0"
