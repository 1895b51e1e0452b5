"""The document store keeps uploaded bytes and hands back a ref that reads them again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ntro.documents import DocumentNotFound, DocumentStore, default_store_root


def test_put_then_get_returns_the_same_bytes_and_info(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    ref = store.put(b"account,debit\n4000,10\n", "tb.csv", metadata={"tenant": "acme"})
    assert ref.document_ref.startswith("doc_")
    assert store.get(ref.document_ref) == b"account,debit\n4000,10\n"
    info = store.info(ref.document_ref)
    assert info.filename == "tb.csv"
    assert info.size == 22
    assert info.content_type == "text/csv"
    assert info.metadata == {"tenant": "acme"}
    assert store.path(ref).read_bytes() == b"account,debit\n4000,10\n"


def test_each_put_gets_a_new_ref_even_for_identical_files(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    refs = {store.put(b"same", "a.pdf").document_ref for _ in range(5)}
    assert len(refs) == 5


def test_explicit_content_type_wins_and_unknown_extension_is_octet_stream(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    assert store.put(b"x", "a.csv", content_type="text/plain").content_type == "text/plain"
    assert store.put(b"x", "blob.zzz").content_type == "application/octet-stream"


def test_a_path_in_the_filename_is_reduced_to_its_name(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    ref = store.put(b"x", "C:\\Users\\me\\..\\statement.pdf")
    assert ref.filename == "statement.pdf"
    assert store.put(b"x", "").filename == "document"
    assert not (tmp_path.parent / "statement.pdf").exists()


def test_unknown_or_malformed_refs_say_what_was_wrong(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    with pytest.raises(DocumentNotFound, match="not a document ref"):
        store.get("../../etc/passwd")
    with pytest.raises(DocumentNotFound, match="no document"):
        store.get("doc_" + "0" * 32)
    assert not store.exists("doc_" + "0" * 32)


def test_put_rejects_text_instead_of_bytes(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="bytes"):
        DocumentStore(tmp_path).put("not bytes", "a.txt")  # type: ignore[arg-type]


def test_default_root_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NTRO_DOCUMENT_STORE", str(tmp_path / "docs"))
    assert default_store_root() == tmp_path / "docs"
    assert DocumentStore().root == tmp_path / "docs"
    monkeypatch.delenv("NTRO_DOCUMENT_STORE")
    assert default_store_root() == Path.home() / ".ntro" / "documents"


def test_concurrent_puts_all_land(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    refs: list[str] = []

    def put(n: int) -> None:
        refs.append(store.put(str(n).encode(), f"{n}.txt").document_ref)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(store.get(r).decode() for r in refs) == sorted(str(n) for n in range(20))
    assert not list(tmp_path.glob(".incoming-*"))
