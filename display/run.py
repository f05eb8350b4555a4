"""`main.py display`: the hall screen (综合屏) or the screen over one window (窗口屏)."""
from __future__ import annotations

from appkit.cli import add_hall_option, add_screen_options, connection, limit_fps

SIZES = {"hall": (1920, 1080), "window": (1280, 720)}


def run_display(args) -> int:
    hall, broker = connection(args)
    if args.mode == "window" and args.window is None:
        raise SystemExit("display: --mode window needs --window N")
    from appkit import boot

    boot.prepare(size=(args.width, args.height) if args.width else SIZES[args.mode], fullscreen=args.fullscreen)
    from appkit.link import HallLink
    from appkit.runner import run_screen

    limit_fps(args.max_fps)

    name = args.name or (f"window{args.window}" if args.mode == "window" else "hall")
    link = HallLink(f"display-{name}", hall, broker.host, broker.port, password=broker.password,
                    tls_ca=broker.tls_ca)
    if args.mode == "hall":
        from .hall_screen import HallScreen

        return run_screen("综合屏 Hall screen", lambda: HallScreen(link), link=link, snapshot=args.snapshot)
    from .window_screen import WindowScreen

    return run_screen(f"窗口屏 {args.window}号窗口", lambda: WindowScreen(args.window, link), link=link,
                      snapshot=args.snapshot)


def add_parser(sub, common) -> None:
    p = sub.add_parser("display", help="the hall screen or a window screen (Kivy, HDMI)",
                       description="Show the hall (--mode hall, 1920×1080) or one window (--mode window "
                                   "--window N) from the controller's retained state and events.")
    common(p)
    add_hall_option(p)
    p.add_argument("--mode", choices=["hall", "window"], default="hall")
    p.add_argument("--window", type=int, help="the window a window screen belongs to")
    p.add_argument("--name", help="device name: logs in as display-NAME (default hall / windowN)")
    add_screen_options(p)
    p.add_argument("--width", type=int, help="window width in pixels (default 1920 hall / 1280 window)")
    p.add_argument("--height", type=int, help="window height in pixels (default 1080 hall / 720 window)")
    p.set_defaults(func=run_display)
