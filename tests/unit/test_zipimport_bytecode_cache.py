"""scripts/zipimport_bytecode_cache.py: code imported from a zip is compiled once per source, wherever the zip is."""
import os
import subprocess
import sys
import zipfile
import zipimport
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import zipimport_bytecode_cache as cache  # noqa: E402

SOURCE = "VALUE = 41\n\n\ndef where():\n    return where.__code__.co_filename\n"


def make_zip(path, source=SOURCE):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pkg/__init__.py", "")
        archive.writestr("pkg/mod.py", source)
    return str(path)


@pytest.fixture
def compiles(monkeypatch, tmp_path):
    """zipimport's compile step with the cache in front (in tmp_path/cache), and the list of what it really compiled."""
    real = getattr(zipimport._compile_source, "original", zipimport._compile_source)
    compiled = []

    def counting(pathname, source):
        compiled.append(pathname)
        return real(pathname, source)

    monkeypatch.setattr(zipimport, "_compile_source", cache.caching_compile(counting, str(tmp_path / "cache")))
    return compiled


def module_code(archive):
    return zipimport.zipimporter(os.path.join(archive, "pkg")).get_code("pkg.mod")


def run(code):
    namespace = {}
    exec(code, namespace)  # pylint: disable=exec-used
    return namespace


def test_a_second_zip_with_the_same_source_is_not_compiled_again_and_names_its_own_file(compiles, tmp_path):
    (tmp_path / "run1").mkdir()
    (tmp_path / "run2").mkdir()
    first = make_zip(tmp_path / "run1" / "payload.zip")
    second = make_zip(tmp_path / "run2" / "payload.zip")
    first_code = module_code(first)
    assert len(compiles) == 1
    assert len(os.listdir(tmp_path / "cache")) == 1
    second_code = module_code(second)
    assert len(compiles) == 1, "the second zip's module was compiled again"
    expected = os.path.join(second, "pkg", "mod.py")
    assert second_code.co_filename == expected
    namespace = run(second_code)
    assert namespace["VALUE"] == 41
    # Nested code objects (the function) name the new file too: tracebacks point at this run's payload.
    assert namespace["where"]() == expected
    assert run(first_code)["where"]() == os.path.join(first, "pkg", "mod.py")


def test_changed_source_is_compiled_and_kept_apart(compiles, tmp_path):
    assert run(module_code(make_zip(tmp_path / "a.zip")))["VALUE"] == 41
    assert run(module_code(make_zip(tmp_path / "b.zip", SOURCE.replace("41", "42"))))["VALUE"] == 42
    assert len(compiles) == 2
    assert len(os.listdir(tmp_path / "cache")) == 2
    assert run(module_code(make_zip(tmp_path / "c.zip")))["VALUE"] == 41
    assert len(compiles) == 2


def test_a_damaged_cache_entry_is_compiled_again_and_replaced(compiles, tmp_path):
    module_code(make_zip(tmp_path / "a.zip"))
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_bytes(entry.read_bytes()[:10])
    assert run(module_code(make_zip(tmp_path / "b.zip")))["VALUE"] == 41
    assert len(compiles) == 2
    assert run(module_code(make_zip(tmp_path / "c.zip")))["VALUE"] == 41
    assert len(compiles) == 2, "the damaged entry was not replaced"
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [entry.name], "a temporary file was left behind"


def test_a_cache_that_cannot_be_written_falls_back_to_compiling(monkeypatch, tmp_path):
    (tmp_path / "cache").write_text("a file where the directory should be")
    real = getattr(zipimport._compile_source, "original", zipimport._compile_source)
    monkeypatch.setattr(zipimport, "_compile_source", cache.caching_compile(real, str(tmp_path / "cache")))
    assert run(module_code(make_zip(tmp_path / "a.zip")))["VALUE"] == 41
    assert run(module_code(make_zip(tmp_path / "b.zip")))["VALUE"] == 41


def test_enable_wraps_once_and_the_off_switch_leaves_zipimport_alone(monkeypatch, tmp_path):
    real = getattr(zipimport._compile_source, "original", zipimport._compile_source)
    monkeypatch.setattr(zipimport, "_compile_source", real)
    assert cache.enable(str(tmp_path), environ={"KUBEDR_ZIPIMPORT_CACHE": "off"}) is False
    assert zipimport._compile_source is real
    assert cache.enable(str(tmp_path), environ={}) is True
    wrapped = zipimport._compile_source
    assert wrapped.original is real
    assert cache.enable(str(tmp_path), environ={}) is True
    assert zipimport._compile_source is wrapped, "enabled twice, the cache wrapped itself"


def test_a_zipimport_without_its_compile_step_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.delattr(zipimport, "_compile_source")
    assert cache.enable(str(tmp_path), environ={}) is False
    assert not hasattr(zipimport, "_compile_source")


def test_cache_key_names_the_file_inside_the_zip_not_the_zip():
    source = SOURCE.encode()
    one = cache.cache_key(os.path.join("/tmp/ansible_x_payload_1/ansible_x_payload.zip", "ansible", "module_utils", "basic.py"), source)
    two = cache.cache_key(os.path.join("/tmp/ansible_x_payload_2/ansible_x_payload.zip", "ansible", "module_utils", "basic.py"), source)
    assert one == two
    assert one.endswith("-%x-ansible.module_utils.basic.py" % len(source))
    assert cache.cache_key(os.path.join("/p.zip", "ansible", "module_utils", "urls.py"), source) != one


@pytest.mark.parametrize("switch, enabled", [("", "True"), ("off", "False")])
def test_install_enables_it_at_every_start_of_that_python(tmp_path, switch, enabled):
    site = tmp_path / "site"
    site.mkdir()
    cache.install(str(site))
    assert (site / cache.PTH_NAME).read_text() == "import %s; %s.enable()\n" % (cache.MODULE_NAME, cache.MODULE_NAME)
    assert list((site / "__pycache__").glob(cache.MODULE_NAME + ".*.pyc")), "its own bytecode was not written"
    env = dict(os.environ, KUBEDR_ZIPIMPORT_CACHE=switch)
    # -S: no site-packages of this venv (whose own .pth may already be there); addsitedir reads the .pth as a venv would.
    probe = ("import site, zipimport; site.addsitedir(%r); "
             "print(getattr(zipimport._compile_source, 'original', None) is not None)" % str(site))
    out = subprocess.run([sys.executable, "-S", "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == enabled, out.stderr
