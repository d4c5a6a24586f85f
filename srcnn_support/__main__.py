import sys

from srcnn_support.cli.main import main

sys.exit(main())
