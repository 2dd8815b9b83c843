"""Train the tiny demonstration classifier and write models/: best_model.pth (a state dict),
class_names.txt and the training metadata in config.yaml.

Run: python train.py  (needs torch; the service loads the state dict with weights_only=True)
"""

from datetime import date
from pathlib import Path

import torch
import yaml
from torch import nn

CLASSES = ["healthy", "leaf_blight", "powdery_mildew"]
SEED = 3
OUT = Path(__file__).parent / "models"


class LeafNet(nn.Module):
    """A deliberately tiny CNN: 32x32 RGB leaf crops to three classes."""

    def __init__(self, classes: int = len(CLASSES)) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(4 * 4 * 4, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits) for a batch of images."""
        return self.head(self.features(x).flatten(1))


def main() -> None:
    torch.manual_seed(SEED)
    x = torch.rand(300, 3, 32, 32)
    y = (x[:, 0].mean(dim=(1, 2)) * 3).long().clamp(max=2)
    model = LeafNet()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimiser.step()
    accuracy = float((model(x).argmax(1) == y).float().mean())
    OUT.mkdir(exist_ok=True)
    torch.save(model.state_dict(), OUT / "best_model.pth")
    (OUT / "class_names.txt").write_text("\n".join(CLASSES) + "\n")
    config = {
        "model": {
            "name": "leafnet",
            "version": "1.4.0",
            "input_size": [3, 32, 32],
            "num_classes": len(CLASSES),
        },
        "training": {"seed": SEED, "epochs": 60, "trained_on": date.today().isoformat()},
        "framework": {"torch": str(torch.__version__)},
        "features": ["red", "green", "blue"],
        "metrics": {"accuracy": round(accuracy, 4)},
    }
    (OUT / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    main()
