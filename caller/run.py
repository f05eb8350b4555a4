"""`main.py caller --window N`: the staff's call terminal at one window."""
from __future__ import annotations

from appkit.cli import add_hall_option, add_screen_options, connection, limit_fps


def run_caller(args) -> int:
    hall, broker = connection(args)
    from appkit import boot

    boot.prepare(size=(args.width, args.height), fullscreen=args.fullscreen)
    from appkit.link import HallLink
    from appkit.runner import run_screen

    limit_fps(args.max_fps)

    from .app import CallerScreen

    link = HallLink(f"window-{args.window}", hall, broker.host, broker.port, password=broker.password,
                    tls_ca=broker.tls_ca)
    after_build = None
    if args.autopilot:
        from .autopilot import Autopilot

        staff_id, _, pin = args.autopilot.partition(":")
        def after_build(screen) -> None:  # the screen keeps it: Kivy's Clock holds callbacks only weakly
            screen.autopilot = Autopilot(screen, staff_id, pin, speed=args.autopilot_speed).start()
    return run_screen(f"叫号器 {args.window}号窗口 Caller, window {args.window}",
                      lambda: CallerScreen(args.window, link), link=link, snapshot=args.snapshot,
                      after_build=after_build)


def add_parser(sub, common) -> None:
    p = sub.add_parser("caller", help="the window caller app (叫号器) for staff",
                       description="Staff log in by 工号 + PIN and call, serve, transfer and pause "
                                   "(touch screen, or a PC with F1-F12).")
    common(p)
    add_hall_option(p)
    p.add_argument("--window", type=int, required=True, help="the window this terminal belongs to")
    add_screen_options(p)
    p.add_argument("--width", type=int, default=1024, help="window width in pixels (default 1024)")
    p.add_argument("--height", type=int, default=600, help="window height in pixels (default 600)")
    p.add_argument("--autopilot", metavar="STAFF:PIN",
                   help="demo: log in as STAFF and work the window by simulated touches")
    p.add_argument("--autopilot-speed", type=float, default=1.0, help="demo: the hall clock's speed-up")
    p.set_defaults(func=run_caller)
