"""The recorded training as files: an HTML replay (the templates ``replay.html``,
``replay.css``, ``replay.js`` and ``replay_page.html`` beside this module) and a GIF.

The replay is plain HTML with a few lines of JavaScript: no server, no network. Each frame
is two PNG pictures, the network and the data's panels, which stand side by side and stack
on a narrow screen (a phone), each shown at its own size so its text stays at least 10
pixels high. Only the first frame's pictures are ``<img>`` elements; the others are data the
script reads, so a renderer that runs no script (a code host, an untrusted notebook) shows
the first frame, its caption, and a note saying why nothing plays.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

__all__ = ["Picture", "replay_html", "page_html", "write_gif", "quantize", "png_bytes",
           "LONGEST_FRAME_MS"]

# A GIF's frame delay is a 16-bit count of centiseconds: at most 655.35 seconds.
LONGEST_FRAME_MS = 65535 * 10


def _template(name: str) -> str:
    return files("nn.viz.training_view").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Picture:
    """One frame of the replay: its two halves as PNG bytes, its caption and its numbers."""

    network: bytes
    plots: bytes
    text: str
    numbers: dict[str, Any]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def replay_html(pictures: Sequence[Picture], ms: int, page: bool = False) -> str:
    """The replay of ``pictures`` (at least one), ``ms`` milliseconds a frame when playing.

    With ``page`` the keys work anywhere on the page (a saved page is the replay alone);
    without, only while the replay has the focus (in a notebook, whose keys it must not take).

    Examples:
        >>> png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000000c") + bytes(8)
        >>> page = replay_html([Picture(png, png, "step 1", {"step": 1})], ms=125)
        >>> page.count("<img"), 'width="16" height="12"' in page, "step 1" in page
        (2, True, True)
    """
    first = pictures[0]
    data = [{"network": _data_uri(p.network) if k else "",
             "plots": _data_uri(p.plots) if k else "", "text": p.text, **p.numbers}
            for k, p in enumerate(pictures)]
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    width, height = _size(first.network)
    return Template(_template("replay.html")).substitute(
        ms=ms, keys="page" if page else "focus", count=len(pictures),
        style=_template("replay.css"), network=_data_uri(first.network),
        plots=_data_uri(first.plots), half_width=width, half_height=height,
        alt=html.escape(first.text), caption=html.escape(first.text), frames=payload,
        script=_template("replay.js")).strip()


def page_html(replay: str) -> str:
    """A whole HTML document around a replay made with ``page=True``."""
    return Template(_template("replay_page.html")).substitute(replay=replay)


def quantize(image: Any, colors: int) -> Any:
    """``image`` with a palette of ``colors`` colours, for a small PNG or a GIF frame."""
    # No dithering: the heat maps' smooth gradients dithered into noise compress badly.
    # The octree keeps the few saturated colours (the data points) that median cut merges.
    from PIL import Image

    return image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                          dither=Image.Dither.NONE)


def png_bytes(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_gif(out: Path, images: Sequence[Any], frame_ms: int, hold_ms: int) -> None:
    """Write ``images`` (palette images) as a looping GIF, ``frame_ms`` each, the last one
    ``hold_ms`` longer."""
    durations = [frame_ms] * len(images)
    durations[-1] += hold_ms
    images[0].save(out, format="GIF", save_all=True, append_images=list(images[1:]),
                   duration=durations, loop=0, optimize=True, disposal=1)
