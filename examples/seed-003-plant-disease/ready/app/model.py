"""The classifier: the network definition and its weights, loaded once as plain tensors."""

import io
import logging

import torch
from PIL import Image
from torch import nn

log = logging.getLogger(__name__)


class LeafNet(nn.Module):
    """32x32 RGB leaf crops to disease classes (the architecture train.py trained)."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(4 * 4 * 4, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) for a batch of images."""
        return self.head(self.features(x).flatten(1))


def load(model_path: str, class_names_path: str) -> tuple[LeafNet, list[str]]:
    """The network with its weights (tensors only: weights_only refuses pickled code) and the classes."""
    with open(class_names_path) as fh:
        classes = [line.strip() for line in fh if line.strip()]
    net = LeafNet(len(classes))
    net.load_state_dict(torch.load(model_path, map_location="cpu", weights_only=True))
    net.eval()
    log.info("loaded %s with %d classes", model_path, len(classes))
    return net, classes


def classify(net: LeafNet, classes: list[str], data: bytes) -> dict[str, float]:
    """Class probabilities for one image."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((32, 32))
    pixels = torch.tensor(list(image.getdata()), dtype=torch.float32).view(32, 32, 3).permute(2, 0, 1) / 255
    with torch.no_grad():
        probabilities = net(pixels.unsqueeze(0)).softmax(1)[0]
    return {name: float(p) for name, p in zip(classes, probabilities, strict=True)}
