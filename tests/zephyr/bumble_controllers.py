"""Bumble virtual controllers on one emulated LE link, for tests/zephyr/run-ble.

    python tests/zephyr/bumble_controllers.py HCI_TRANSPORT...

As Bumble's own `bumble.apps.controllers`, except that the controllers do not
claim the LL connection parameters request procedure: they do not carry out
LE Connection Update, and a host that sees the feature sends that command and
waits for it (Zephyr asserts when it times out). Without it, a peripheral's
request goes over L2CAP, where the central's host (the check) can see it.
"""

import asyncio
import sys

from bumble import hci
from bumble.controller import Controller
from bumble.link import LocalLink
from bumble.transport import open_transport


async def main() -> None:
    link = LocalLink()
    controllers = []
    for index, spec in enumerate(sys.argv[1:]):
        transport = await open_transport(spec)
        controller = Controller(
            f"C{index}", host_source=transport.source, host_sink=transport.sink, link=link
        )
        controller.le_features &= ~hci.LeFeatureMask.CONNECTION_PARAMETERS_REQUEST_PROCEDURE
        controllers.append(controller)
        print(f"controller C{index} on {spec}", flush=True)
    await asyncio.get_running_loop().create_future()


asyncio.run(main())
