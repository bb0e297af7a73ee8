"""The YAML reader: libyaml's fast path reads exactly what the Python loader reads, and everything it
does not read plainly (aliases, errors) is refused by the Python loader with the same messages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dyad_lib.data import yamltext
from dyad_lib.data.yamltext import YamlError, load_yaml, read_yaml

ROOT = Path(__file__).resolve().parents[1]
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Each test runs with the fast path and without it (a PyYAML built without libyaml)."""
    if request.param == "python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    else:
        assert getattr(yaml, "CSafeLoader", None) is not None, "PyYAML without libyaml: the fast path is not tested"
    return request.param


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT) for d in ("data", "dyad_lib", "examples")
                                        for p in (ROOT / d).rglob("*.yaml")), ids=str)
def test_every_yaml_file_of_the_project_reads_as_the_python_loader_reads_it(path, loader):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.load(text, Loader=yamltext._NoAliasLoader)  # noqa: S506


def test_values_are_the_safe_loaders(loader):
    text = "a: 2025-07-01\nb: yes\nc: 0x10\nd: 1_000\ne: .nan\nf: ~\ng: '007'\nh: [1, {i: 2.5}]\n"
    got = load_yaml(text)
    assert got["a"].isoformat() == "2025-07-01" and got["b"] is True and got["c"] == 16 and got["d"] == 1000
    assert got["e"] != got["e"] and got["f"] is None and got["g"] == "007" and got["h"] == [1, {"i": 2.5}]


def test_an_alias_is_refused_with_its_line(loader):
    with pytest.raises(YamlError, match=r"uses a YAML alias \(\*g\) on line 2; write the value out") as e:
        load_yaml("FY2025: &g {collection_goal: 1}\nFY2026: *g\n")
    assert e.value.line == 2


def test_the_billion_laughs_is_refused_before_anything_is_expanded(loader):
    with pytest.raises(YamlError, match=r"alias \(\*a\) on line 2"):
        load_yaml(BOMB)


def test_invalid_yaml_names_the_line(loader):
    with pytest.raises(YamlError, match=r"is not valid YAML \(line 3\)") as e:
        load_yaml("a: 1\nb: [\n")
    assert e.value.line == 3


def test_a_python_tag_is_refused(loader):
    with pytest.raises(YamlError, match="is not valid YAML"):
        load_yaml("x: !!python/object/apply:os.system ['true']\n")


def test_oversized_text_and_file_are_refused_unread(tmp_path, loader):
    big = "# " + "x" * (yamltext.MAX_YAML_BYTES + 1) + "\n"
    with pytest.raises(YamlError, match=r"is 2\.1 MB; .*\(at most 2 MB\)"):
        load_yaml(big)
    (tmp_path / "big.yaml").write_text(big)
    with pytest.raises(YamlError, match=r"is 2\.1 MB"):
        read_yaml(tmp_path / "big.yaml")


def test_a_file_not_in_utf8_names_the_byte(tmp_path, loader):
    (tmp_path / "p.yaml").write_bytes("name: Cl\xednica\n".encode("cp1252"))
    with pytest.raises(YamlError, match=r"is not UTF-8 text \(byte 9\)"):
        read_yaml(tmp_path / "p.yaml")
    (tmp_path / "q.yaml").write_bytes("\ufeffname: Clínica\n".encode())
    assert read_yaml(tmp_path / "q.yaml") == {"name": "Clínica"}
