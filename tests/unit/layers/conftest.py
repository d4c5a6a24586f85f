import pytest

from srcnn_support.layers.capture import pytorch_layers
from srcnn_support.model.network import load_model
from tests.conftest import WEIGHTS
from tests.layer_faults import set5_planes


@pytest.fixture(scope="session")
def layer_folder(tmp_path_factory):
    """The exported model and the faulty ones made from it, shared by this folder's tests."""
    return tmp_path_factory.mktemp("layers")


@pytest.fixture(scope="session")
def inputs():
    return set5_planes()


@pytest.fixture(scope="session")
def reference(inputs):
    return pytorch_layers(load_model(WEIGHTS), inputs[1])
