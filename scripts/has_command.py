"""Exit 0 if ``manage.py <name>`` exists, 1 if not: ``scripts/has_command.py demo_seed``.

Looks the command up without importing it, so a broken command still fails loudly when it is run.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagewise.settings")

import django  # noqa: E402
from django.core.management import get_commands  # noqa: E402

django.setup()
sys.exit(0 if sys.argv[1] in get_commands() else 1)
