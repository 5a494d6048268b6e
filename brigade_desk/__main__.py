import sys

from brigade_desk.cli import main

sys.exit(main())
