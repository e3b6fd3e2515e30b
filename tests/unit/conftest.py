"""Unit tests import the collection from the laid-out copy (PYTHONPATH=.build:tests)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, '.build')
if os.path.isdir(os.path.join(BUILD, 'ansible_collections', 'psremoting', 'pssession')) and BUILD not in sys.path:
    sys.path.insert(0, BUILD)
