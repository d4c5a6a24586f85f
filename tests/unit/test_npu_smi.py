"""``npu-smi info`` read by columns, on table layouts quoted from real driver output.

See srcnn_support/npu_smi.py.
"""

from srcnn_support.npu_smi import chip_family, chips_per_card, parse_npu_smi_info, soc_version

ATLAS_300I_310 = """
+------------------------------------------------------------------------------+
| npu-smi 21.0.3.1                     Version: 21.0.3.1                       |
+-------------------+-----------------+----------------------------------------+
| NPU     Name      | Health          | Power(W)          Temp(C)              |
| Chip    Device    | Bus-Id          | AICore(%)         Memory-Usage(MB)     |
+===================+=================+========================================+
| 1       310       | OK              | 12.8              49                   |
| 0       0         | 0000:01:00.0    | 0                 2621 / 8192          |
+-------------------+-----------------+----------------------------------------+
| 1       310       | OK              | 12.8              49                   |
| 1       1         | 0000:02:00.0    | 0                 2621 / 8192          |
+-------------------+-----------------+----------------------------------------+
"""

ATLAS_300I_PRO_310P = """
+-------------------+-----------------+------------------------------------------------------+
| NPU     Name      | Health          | Power(W)     Temp(C)           Hugepages-Usage(page) |
| Chip    Device    | Bus-Id          | AICore(%)    Memory-Usage(MB)                        |
+===================+=================+======================================================+
| 0       310P3     | OK              | 15.8         42                0    / 0              |
| 0       0         | 0000:82:00.0    | 0            1074 / 21534                            |
+===================+=================+======================================================+
| 1       310P3     | OK              | 15.4         43                0    / 0              |
| 0       1         | 0000:89:00.0    | 0            1070 / 21534                            |
+===================+=================+======================================================+
"""

ATLAS_910B = """
+------------------------------------------------------------------------------------------------+
| npu-smi 23.0.rc1                       Version: 23.0.rc1                                       |
+-------------------+-----------------+----------------------------------------------------------+
| NPU     Name      | Health          | Power(W)    Temp(C)           Hugepages-Usage(page)      |
| Chip    Device    | Bus-Id          | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)              |
+===================+=================+==========================================================+
| 0       910B2C    | OK              | 66.8        44                0    / 0                   |
| 0       0         | 0000:C1:00.0    | 0           2310 / 15077      2310 / 65536               |
+===================+=================+==========================================================+
+---------------------------+---------------+----------------------------------------------------+
| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |
+===========================+===============+====================================================+
| 0       0                 | 12345         | python3                  | 310                     |
+===========================+===============+====================================================+
"""


def test_atlas_300i_lists_310_chips_of_one_card_and_the_card_holds_four():
    chips = parse_npu_smi_info(ATLAS_300I_310)
    assert [(c.npu_id, c.chip_id, c.name, c.device_id) for c in chips] == [(1, 0, "310", 0), (1, 1, "310", 1)]
    assert chips_per_card(chips) == 4
    assert soc_version(chips[0]) == "Ascend310"


def test_310p_card_is_one_chip_not_four():
    chips = parse_npu_smi_info(ATLAS_300I_PRO_310P)
    assert [c.name for c in chips] == ["310P3", "310P3"] and [c.device_id for c in chips] == [0, 1]
    assert chip_family("310P3") == "310P"
    assert chips_per_card(chips) == 1
    assert soc_version(chips[0]) == "Ascend310P3"


def test_910b_memory_and_process_cells_holding_310_are_not_chips():
    chips = parse_npu_smi_info(ATLAS_910B)
    assert [(c.name, c.health) for c in chips] == [("910B2C", "OK")]
    assert chip_family(chips[0].name) == "910B"


def test_no_table_is_no_chip():
    assert parse_npu_smi_info("dcmi module initialize failed. ret is -8005") == []
    assert chips_per_card([]) == 1
