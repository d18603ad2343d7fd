"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test fetches a pinned get-pip script from a host this project's CI
cannot reach. This stand-in bootstraps pip with ensurepip and then installs
the requested pip from the configured package index instead.
"""
import subprocess
import sys


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + args)


if __name__ == "__main__":
    main()
