"""Every shipped data file is listed in data/manifest.json and matches it byte for byte."""

import pathlib

from lessonkit.manifest import read_manifest, verify_manifest

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
NOT_DATA = {"README.md", "manifest.json"}


def test_every_file_in_data_is_in_the_manifest_and_every_entry_exists():
    shipped = {p.name for p in DATA.iterdir() if p.is_file() and p.name not in NOT_DATA}
    listed = set(read_manifest())
    assert shipped == listed, f"not in manifest: {shipped - listed}; listed but missing: {listed - shipped}"


def test_all_shipped_files_match_their_sha256():
    checked = verify_manifest()
    assert set(checked) == set(read_manifest()) and all(len(h) == 64 for h in checked.values())


def test_every_shipped_file_is_described_in_the_data_readme():
    readme = (DATA / "README.md").read_text()
    for name in read_manifest():
        assert name in readme, f"data/README.md does not mention {name}"
