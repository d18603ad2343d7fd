"""A fresh checkout after `make venv`: the README's ansible-doc command works with no environment variable set
(ansible.cfg at the root points at .venv/collections)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ansible_doc_finds_the_modules_from_the_checkout_root():
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_") and key != "PYTHONPATH"}
    env["ANSIBLE_NOCOLOR"] = "1"
    ansible_doc = Path(sys.executable).parent / "ansible-doc"
    shown = subprocess.run([str(ansible_doc), "kubedr.astra.astra_app"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert shown.returncode == 0 and "> MODULE kubedr.astra.astra_app" in shown.stdout, shown.stderr
    assert "not found" not in shown.stderr, shown.stderr
