"""Offline stand-in for the get-pip.py script ansible-test downloads.

ansible-test bootstraps pip into each sanity virtual environment by running
``~/.ansible/test/cache/get_pip_<version>.py`` and downloads that script from a host
CI cannot reach. This stand-in does the same job with what Python ships: ``ensurepip``
puts the bundled pip in place, then that pip installs the requested packages (for
example ``pip==24.2``) from the package index. The test command copies it to the cache
path only when no real script is there.
"""

import os
import subprocess
import sys

# get-pip.py options that are not pip install options.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main(argv):
    env = dict(os.environ)
    # ansible-test points PIP_CONFIG_FILE at its own file in some setups; the machine's
    # index settings must apply here.
    env.pop("PIP_CONFIG_FILE", None)
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, env=env, stdout=subprocess.DEVNULL)
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, "-m", "pip", "install", *pip_args], check=True, env=env)


if __name__ == "__main__":
    main(sys.argv[1:])
