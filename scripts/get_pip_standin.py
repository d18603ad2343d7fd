"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test fetches a pinned get-pip script from a host this project's CI
cannot reach. This stand-in installs the requested pip (and whatever else
ansible-test asks for) from the configured package index instead: with uv
when scripts/sanity.sh names it in KUBEDR_UV (a fraction of a second, where
ensurepip takes five CPU seconds for each of the dozen sanity venvs of a
fresh machine), else by bootstrapping with ensurepip. ansible-test runs this
with an environment of its own making that keeps PATH but not KUBEDR_UV, so
uv is also looked for on PATH (sanity.sh puts .venv/bin first on it), and
uv is told to trust the system's certificates (SSL_CERT_FILE is dropped too).
Whenever uv fails, ensurepip and pip do the work as before.
"""
import os
import shutil
import subprocess
import sys


def uv_command(argv, uv, python):
    """The uv command that installs what get-pip.py would (argv: its arguments), or None without uv or packages."""
    packages = [arg for arg in argv if not arg.startswith("-")]
    if not uv or not os.access(uv, os.X_OK) or not packages:
        return None
    # get-pip.py installs setuptools and wheel unless told not to (ansible-test tells it not to).
    packages += [name for name in ("setuptools", "wheel") if "--no-" + name not in argv]
    return [uv, "pip", "install", "-q", "--system-certs", "--compile-bytecode", "--python", python] + packages


def main():
    uv = os.environ.get("KUBEDR_UV") or shutil.which("uv") or ""
    command = uv_command(sys.argv[1:], uv, sys.executable)
    if command and subprocess.call(command) == 0:
        return
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + args)


if __name__ == "__main__":
    main()
