"""A bytecode cache for code Python imports from zip files: what __pycache__ is for files on disk.

Why: a module task runs its module from the zip ansible sends (AnsiballZ). zipimport cannot write bytecode into the
zip, so every module process compiles ansible's module_utils and the collection's from source before the module
starts: about a fifth of a runbook's CPU on the controller (make demo: 10 of 48 CPU-s), the same for every task.

How: installed into a venv (`python scripts/zipimport_bytecode_cache.py install`, which make venv and the release
check run), a .pth file imports this module at every start of the venv's Python; it replaces zipimport's compile step
with one that keeps each code object, keyed by the source's hash (the one hash-based .pyc files use, PEP 552), its
length and its path inside the zip, under <venv>/zipimport-bytecode/<Python's magic number>/. A cached code object
gets the file name of the zip it was imported from this time, as importlib does for a .pyc file that moved.
Nothing else changes: the same source gives the same code. Any problem with the cache (a directory that cannot be
written, a truncated file) falls back to compiling, as Python does without a .pyc.

KUBEDR_ZIPIMPORT_CACHE=off turns it off for a process and its children (make bench does, so that its figures are
what a controller without the cache sees).
"""
import _imp
import marshal
import os
import sys
import zipimport
from importlib._bootstrap_external import MAGIC_NUMBER

OFF_SWITCH = "KUBEDR_ZIPIMPORT_CACHE"
MODULE_NAME = "kubedr_zipimport_bytecode_cache"
PTH_NAME = MODULE_NAME + ".pth"
RAW_MAGIC_NUMBER = int.from_bytes(MAGIC_NUMBER, "little")
ZIP_MARK = ".zip" + os.sep


def cache_directory(prefix=None):
    return os.path.join(prefix or sys.prefix, "zipimport-bytecode", MAGIC_NUMBER.hex())


def cache_key(pathname, source):
    """The cache file name of a source at pathname: the source's hash and length, then its path inside the zip (the
    zip itself is a new temporary file on every module run)."""
    inner = pathname.split(ZIP_MARK, 1)[-1]
    return "%s-%x-%s" % (_imp.source_hash(RAW_MAGIC_NUMBER, source).hex(), len(source), inner.replace(os.sep, ".")[-120:])


def caching_compile(compile_source, directory):
    """zipimport's _compile_source(pathname, source), kept in directory."""

    def compile_cached(pathname, source):
        path = os.path.join(directory, cache_key(pathname, source))
        try:
            with open(path, "rb") as handle:
                code = marshal.loads(handle.read())
            _imp._fix_co_filename(code, pathname)  # pylint: disable=protected-access
            return code
        except Exception:  # pylint: disable=broad-except  # no cache entry, or one that does not load: compile
            pass
        code = compile_source(pathname, source)
        temporary = "%s.%d.tmp" % (path, os.getpid())
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(marshal.dumps(code))
            os.replace(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        return code

    compile_cached.original = compile_source
    return compile_cached


def enable(directory=None, environ=None):
    """Put the cache in front of zipimport's compile step, unless KUBEDR_ZIPIMPORT_CACHE is off."""
    environ = os.environ if environ is None else environ
    if environ.get(OFF_SWITCH, "").lower() in ("off", "0", "false", "no"):
        return False
    if not callable(getattr(zipimport, "_compile_source", None)):
        return False  # a Python whose zipimport is built otherwise: it compiles as it always did
    # pylint: disable=protected-access
    if getattr(zipimport._compile_source, "original", None) is None:
        zipimport._compile_source = caching_compile(zipimport._compile_source, directory or cache_directory())
    return True


def install(site_packages):
    """Copy this module into site_packages with a .pth that enables it at every start of that Python."""
    import py_compile  # pylint: disable=import-outside-toplevel
    with open(__file__, encoding="utf-8") as handle:
        code = handle.read()
    target = os.path.join(site_packages, MODULE_NAME + ".py")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(code)
    # Its own bytecode too: it is imported at every start of that Python, and PYTHONDONTWRITEBYTECODE may be set.
    py_compile.compile(target, doraise=True)
    with open(os.path.join(site_packages, PTH_NAME), "w", encoding="utf-8") as handle:
        handle.write("import %s; %s.enable()\n" % (MODULE_NAME, MODULE_NAME))


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python %s install  (into the site-packages of the Python that runs it)" % sys.argv[0])
    import sysconfig  # pylint: disable=import-outside-toplevel
    install(sysconfig.get_paths()["purelib"])
    print("zipimport bytecode cache installed for %s (cache: %s)" % (sys.executable, cache_directory()))
