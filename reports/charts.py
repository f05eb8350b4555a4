"""The report's charts as PNG files (matplotlib, no display needed).

Labels are Chinese first, English second, so a CJK font is registered when
the machine has one (Debian: fonts-wqy-microhei or fonts-noto-cjk); without
one the charts fall back to English labels rather than empty boxes.
"""
from __future__ import annotations

from pathlib import Path

CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    available = {font.name for font in font_manager.fontManager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in available), None)
    if cjk:
        matplotlib.rcParams["font.sans-serif"] = [cjk, *matplotlib.rcParams["font.sans-serif"]]
        matplotlib.rcParams["axes.unicode_minus"] = False
    return pyplot, cjk is not None


def _label(zh: str, en: str, cjk: bool) -> str:
    return f"{zh} {en}" if cjk else en


def arrivals_chart(report: dict, path: Path) -> Path:
    """Tickets issued per hour (bars), their average wait (line) and the longest queue (dashed)."""
    plt, cjk = _pyplot()
    hours = report["hours"]
    labels = [h["label"] for h in hours]
    fig, left = plt.subplots(figsize=(9, 4.2), dpi=110)
    left.bar(labels, [h["issued"] for h in hours], color="#4C78A8", label=_label("取号", "issued", cjk))
    left.set_ylabel(_label("取号数", "tickets issued", cjk))
    left.set_xlabel(_label("时段", "hour", cjk))
    right = left.twinx()
    right.plot(labels, [(h["avg_wait_s"] or 0) / 60 for h in hours], color="#E45756", marker="o",
               label=_label("平均等候（分钟）", "avg wait (min)", cjk))
    right.plot(labels, [h["max_waiting"] for h in hours], color="#72B7B2", linestyle="--",
               label=_label("最多同时等候（人）", "most waiting", cjk))
    right.set_ylabel(_label("分钟 / 人", "minutes / people", cjk))
    return _save(plt, fig, left, right, _label(f"{report['day']} 到达与等候", f"{report['day']} arrivals and waiting",
                                               cjk), path)


def windows_chart(report: dict, path: Path) -> Path:
    """Services per window (bars) and how busy each window was while staffed (line, %)."""
    plt, cjk = _pyplot()
    windows = report["windows"]
    labels = list(windows)
    fig, left = plt.subplots(figsize=(9, 4.2), dpi=110)
    left.bar(labels, [w["served"] for w in windows.values()], color="#54A24B",
             label=_label("办结", "served", cjk))
    left.set_ylabel(_label("办结数", "services", cjk))
    left.set_xlabel(_label("窗口", "window", cjk))
    right = left.twinx()
    right.plot(labels, [w.get("load_pct") or 0 for w in windows.values()], color="#F58518", marker="s",
               label=_label("忙碌率 %", "load %", cjk))
    right.set_ylim(0, 105)
    right.set_ylabel("%")
    return _save(plt, fig, left, right, _label(f"{report['day']} 窗口负荷", f"{report['day']} load per window", cjk),
                 path)


def _save(plt, fig, left, right, title: str, path: Path) -> Path:
    """One legend for both axes, the title, and the PNG written."""
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(handles, [h.get_label() for h in handles], loc="upper right", fontsize=8)
    left.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
