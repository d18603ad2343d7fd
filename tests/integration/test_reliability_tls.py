"""TLS as a user meets it: verification on by default, and every way it goes wrong named with what to fix.

Four simulators: the session's (HTTPS, its own CA), one over plain HTTP, one whose certificate has expired and one
whose certificate names another host. One playbook tries each case with astra_cluster_info and records the results.
"""
import datetime
import ipaddress
import json
import os
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from playbook_harness import Simulator
from reliability import record_figures


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_tls_dir(directory, host, not_after):
    """A CA and a server certificate for `host` valid until `not_after`, in the simulator's --tls-dir layout."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    san = x509.IPAddress(ipaddress.ip_address(host)) if host[0].isdigit() else x509.DNSName(host)
    server = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(ca.subject).public_key(key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(min(now, not_after) - datetime.timedelta(days=10)).not_valid_after(not_after)
              .add_extension(x509.SubjectAlternativeName([san]), critical=False).sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    for file_name, data in (("ca.pem", ca.public_bytes(pem)), ("server.pem", server.public_bytes(pem)),
                            ("server-key.pem", key_pem)):
        with open(os.path.join(directory, file_name), "wb") as handle:
            handle.write(data)


def special_simulator(like, host=None, not_after=None, tls=True):
    """A simulator with the same account and token as `like`, over plain HTTP or with the given certificate."""
    workdir = tempfile.mkdtemp(prefix="astra-sim-tls-")
    if host:
        write_tls_dir(workdir, host, not_after)
    simulator = Simulator(scenario="empty", time_scale=0.05, tls=tls, workdir=workdir)
    simulator.account_id, simulator.token = like.account_id, like.token
    return simulator.start()


def task(name, url, ca_path=None, validate_certs=True, environment=None):
    args = {"api_url": url, "validate_certs": validate_certs}
    if ca_path is not None:
        args["ca_path"] = ca_path
    entry = {"name": name, "kubedr.astra.astra_cluster_info": args, "register": "result", "ignore_errors": True}
    if environment:
        entry["environment"] = environment
    return [entry, {"name": "Keep " + name, "ansible.builtin.set_fact": {
        "results": "{{ results | combine({%s: result}) }}" % json.dumps(name)}}]


def test_tls_cases_fail_with_what_to_fix_and_good_setups_work(sim, run_playbook, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    plain = special_simulator(sim, tls=False)
    expired = special_simulator(sim, "127.0.0.1", now - datetime.timedelta(days=1))
    wrong_host = special_simulator(sim, "astra.example.com", now + datetime.timedelta(days=30))
    try:
        other_ca = str(tmp_path / "other-ca.pem")
        write_tls_dir(str(tmp_path), "127.0.0.1", now + datetime.timedelta(days=1))
        os.rename(str(tmp_path / "ca.pem"), other_ca)
        empty_ca = tmp_path / "blank-ca.pem"
        empty_ca.write_text("\n")
        garbage_ca = tmp_path / "garbage-ca.pem"
        garbage_ca.write_text("not a certificate\n")
        http_url = sim.url.replace("https://", "http://")
        cases = [
            task("ca_path", sim.url, ca_path=sim.ca_path),
            task("system trust store (SSL_CERT_FILE)", sim.url, environment={"SSL_CERT_FILE": sim.ca_path}),
            task("blank CA file + system trust store", sim.url, ca_path=str(empty_ca),
                 environment={"SSL_CERT_FILE": sim.ca_path}),
            task("no CA the server's is signed by", sim.url),
            task("wrong CA", sim.url, ca_path=other_ca),
            task("garbage CA file", sim.url, ca_path=str(garbage_ca)),
            task("validation off", sim.url, validate_certs=False),
            task("http URL to an HTTPS server", http_url, ca_path=sim.ca_path),
            task("https URL to an HTTP server", plain.url.replace("http://", "https://"), ca_path=sim.ca_path),
            task("expired certificate", expired.url, ca_path=expired.ca_path),
            task("certificate for another host", wrong_host.url, ca_path=wrong_host.ca_path),
        ]
        results_path = tmp_path / "results.json"
        playbook = tmp_path / "tls.yml"
        playbook.write_text(json.dumps([{
            "name": "TLS cases", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "results": {}},
            "tasks": [step for case in cases for step in case] + [
                {"name": "Save", "ansible.builtin.copy": {"content": "{{ results | to_json }}", "dest": str(results_path),
                                                          "mode": "0600"}}]}]))
        run = run_playbook(str(playbook), unset_env=["ASTRA_CA_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "ASTRA_API_URL"])
        assert run.rc == 0, run
        results = json.loads(results_path.read_text())
    finally:
        for other in (plain, expired, wrong_host):
            other.cleanup()

    def ok(name):
        assert not results[name].get("failed"), (name, results[name])

    def refused(name, *fragments):
        message = results[name].get("msg", "")
        assert results[name].get("failed"), (name, results[name])
        for fragment in fragments:
            assert fragment in message, (name, fragment, message)
        return message

    ok("ca_path")
    ok("system trust store (SSL_CERT_FILE)")
    ok("blank CA file + system trust store")
    refused("no CA the server's is signed by", "is not signed by a CA in the system trust store",
            "set ca_path to the PEM file of the CA that signed the Astra Control certificate")
    refused("wrong CA", "is not signed by a CA in the CA file %s (ca_path)" % other_ca)
    refused("garbage CA file", "ca_path: cannot load the CA certificates of the CA file %s" % garbage_ca)
    ok("validation off")
    assert any("validate_certs is false" in warning for warning in results["validation off"].get("warnings", []))
    refused("http URL to an HTTPS server", "answers HTTPS: use an https:// api_url")
    refused("https URL to an HTTP server", "if it serves plain HTTP, use an http:// api_url")
    refused("expired certificate", "the server's certificate has expired or is not yet valid")
    refused("certificate for another host", "is not valid for 127.0.0.1: put a host name the certificate was issued for")

    def seconds(name):
        timing = results[name]["timing"]
        started, finished = (datetime.datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                             for key in ("started", "finished"))
        return (finished - started).total_seconds()
    # None of these is retried: each fails at once, not after the retry budget.
    slowest = max(seconds(name) for name in results if results[name].get("failed"))
    assert slowest < 10, slowest
    record_figures("tls", cases=len(results), refused=sum(1 for item in results.values() if item.get("failed")),
                   slowest_refusal_seconds=round(slowest, 2))
