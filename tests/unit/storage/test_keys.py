"""Key strings: layout, escaping of user text, and the sort-key length bound."""

from __future__ import annotations

from chalicelib.storage import keys

WS = "0b8f7c1e-1111-4222-8333-944455556666"
OBJ = "7d1c2b3a-aaaa-4bbb-8ccc-ddddeeeeffff"


def test_record_keys_put_the_workspace_and_object_in_the_partition():
    key = keys.record_key(WS, OBJ, "r1")
    assert key == keys.Key(f"WS#{WS}#REC#{OBJ}", "r1")
    assert keys.record_id_from_sk(key.sk) == "r1"


def test_metadata_items_share_one_partition_per_workspace():
    assert keys.object_metadata_key(WS, OBJ).pk == keys.metadata_pk(WS)
    assert keys.field_metadata_key(WS, OBJ, "f").pk == keys.metadata_pk(WS)
    assert keys.field_metadata_key(WS, OBJ, "f").sk.startswith(keys.object_metadata_key(WS, OBJ).sk)


def test_unique_values_cannot_forge_a_separator():
    plain = keys.unique_guard_key(WS, OBJ, "emails.primaryEmail", "a#b%c")
    assert plain.sk == "emails.primaryEmail#=a%23b%25c"
    assert (
        keys.unique_guard_key(WS, OBJ, "x", "a%23").sk
        != keys.unique_guard_key(WS, OBJ, "x", "a#").sk
    )


def test_long_unique_values_are_hashed_under_the_sort_key_limit():
    long_value = "x" * 5000
    key = keys.unique_guard_key(WS, OBJ, "domainName.primaryLinkUrl", long_value)
    assert len(key.sk.encode()) < 1024
    assert key.sk.startswith("domainName.primaryLinkUrl#H")
    assert key != keys.unique_guard_key(WS, OBJ, "domainName.primaryLinkUrl", long_value + "y")


def test_workspaces_never_share_a_key():
    other = "0b8f7c1e-1111-4222-8333-944455556667"
    assert keys.record_key(WS, OBJ, "r").pk != keys.record_key(other, OBJ, "r").pk
    assert (
        keys.unique_guard_key(WS, OBJ, "f", "v").pk
        != keys.unique_guard_key(other, OBJ, "f", "v").pk
    )


def test_api_keys_are_stored_by_sha256_only():
    digest = keys.api_key_hash("crm_secret")
    assert len(digest) == 64 and "crm_secret" not in digest


def test_an_index_holds_short_clean_text_whole_and_long_or_marked_text_in_part():
    assert keys.index_value_is_whole(("acme", "Acme"))
    assert keys.index_value_is_whole(("x" * 296, "x" * 296))
    assert keys.index_value_is_whole(12.5) and keys.index_value_is_whole("2024-01-01")
    assert not keys.index_value_is_whole(("x" * 297, "x" * 297))
    assert not keys.index_value_is_whole(("é" * 149, "é" * 149))  # 298 bytes
    for marked in ("a\x00b", "a\x01b", "a\x02b"):
        assert not keys.index_value_is_whole((marked, marked))
    # A stored text over the cut keeps at least 297 bytes, so no whole value can equal its key.
    long_key = keys.index_value(("é" * 151, "é" * 151))
    assert len(long_key.encode()) > 1 + 296 and long_key != keys.index_value(("é" * 148, "é" * 148))


def test_only_record_partitions_are_record_partition_keys():
    ws, obj = "0b8f7c1e-1111-4222-8333-944455556666", "7d1c2b3a-aaaa-4bbb-8ccc-ddddeeeeffff"
    assert keys.is_record_pk(keys.record_pk(ws, obj))
    assert not keys.is_record_pk(keys.workspace_key(ws).pk)
    assert not keys.is_record_pk(keys.unique_guard_key(ws, obj, "name", "x").pk)
    assert not keys.is_record_pk(keys.jobs_pk(ws))


def test_the_value_part_of_an_index_key_is_what_index_value_gives():
    for form in ("acme", 3.5, True, (2, "b\x01c"), None):
        sk = keys.index_sk(form, "0f9d2c1e-1111-4222-8333-444455556666")
        assert keys.index_value_of_sk(sk) == keys.index_value(form)
