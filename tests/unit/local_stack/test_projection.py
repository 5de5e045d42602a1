"""The emulator's projection shortcut answers exactly what moto's own projection answers."""

from __future__ import annotations

from moto.dynamodb.models.dynamo_type import DynamoType, Item

from local_stack import fast_paths

# moto's own Item.project, whether or not the emulator has replaced it in this process.
MOTOS = getattr(Item.project, "__wrapped__", Item.project)
FAST = fast_paths.projected_names(MOTOS)


def item(**attrs: dict) -> Item:
    return Item(DynamoType({"S": "WS#w#REC#o"}), DynamoType({"S": "r1"}), attrs)


RECORD = item(
    pk={"S": "WS#w#REC#o"},
    sk={"S": "r1"},
    d={"S": '{"name": "Ada \\u00e9"}'},
    v={"N": "3"},
    deletedAt={"NULL": True},
    tomb={"BOOL": True},
    ix1sk={"S": "1ada\x01r1"},
)
NAMES = [["pk"], ["sk"], ["d"], ["v"], ["deletedAt"], ["tomb"], ["absent"]]


def test_top_level_names_are_picked_as_moto_picks_them():
    assert FAST(RECORD, NAMES).to_json() == MOTOS(RECORD, NAMES).to_json()
    assert list(FAST(RECORD, NAMES).attrs) == ["pk", "sk", "d", "v", "deletedAt", "tomb"]


def test_numbers_moto_would_rewrite_and_nested_paths_take_motos_way():
    odd = item(pk={"S": "p"}, n={"N": "01.50"}, m={"M": {"a": {"S": "x"}}})
    for names in ([["pk"], ["n"]], [["m", "a"]], [["m"]]):
        assert FAST(odd, names).to_json() == MOTOS(odd, names).to_json()
    assert MOTOS(odd, [["n"]]).to_json()["Attributes"]["n"] == {"N": "1.50"}
