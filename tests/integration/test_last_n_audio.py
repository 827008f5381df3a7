#!/usr/bin/python3
"""test_last_n_audio.py - last-N audio: a participant receives the audio of
only the N loudest other speakers (plugin/model/forwarding.h, applied by
plugin/policy.c), with a hold so speech is never cut.

The server runs with RTK_LAST_N_AUDIO=1. Three speakers Ada, Bob and Cy
(group_call_participant) publish VP8 video and Opus audio whose loudness
the test switches between a 440 Hz tone and digital silence (aiortc puts
each frame's level in the RFC 6464 audio-level extension, which the
plugin's speaker detection reads); a viewer Vera subscribes. What Vera's
aiortc decodes from each speaker is counted:
  1. everyone silent: no audio reaches Vera (silent peers are never among
     the top N), while everyone's video does;
  2. Ada loud: her audio arrives within 1 s; Bob's and Cy's do not;
  3. Ada silent, Bob loud: Bob's audio arrives, Ada's keeps arriving for
     the first second after she stopped (the hold: the end of her
     sentence is not cut), then stops within 6 s (her 1 s loudness window
     and the 2 s hold); Cy's never comes;
  4. Ada loud again, Bob silent: Ada's audio resumes with its RTP sequence
     numbers continuous across the pause: Vera's receiver counts (almost)
     no lost packets for it, though seconds of packets were never sent.
"""

import asyncio
import time

from rtk_harness import RtkClient, Server, check, check_equal, log, run_test
from test_active_grid import MEDIA_TIMEOUT, Speaker

N = 1
STRAY = 3          # audio frames in flight when a stream is paused
ENTER = 1.0        # seconds: the latest a new loudest speaker is heard
WINDOW = 25        # audio frames (20 ms) that make a measuring window
HELD = 1.0         # seconds the previous speaker is still heard at least
GONE = 6.0         # seconds after which the previous speaker is no longer heard
QUIET = 2.0        # seconds of a window in which a stream must not flow
MAX_LOST = 5       # packets Vera may count lost on a stream paused and resumed


class Meeting:
    def __init__(self, viewer, speakers):
        self.viewer = viewer
        self.ada, self.bob, self.cy = speakers
        self.speakers = speakers

    def audio(self):
        return {c.name: self.viewer.frames[c.peer_id]["audio"] for c in self.speakers}

    def grown(self, before):
        now = self.audio()
        return {name: now[name] - before[name] for name in now}

    async def wait_audio(self, speaker, frames, timeout, what):
        target = self.viewer.frames[speaker.peer_id]["audio"] + frames
        started = time.monotonic()
        await self.viewer.wait_until(
            lambda: self.viewer.frames[speaker.peer_id]["audio"] >= target, timeout,
            lambda: "%s: %d audio frames from %s (audio so far %r)" % (what, frames, speaker.name, self.audio()))
        return time.monotonic() - started

    async def quiet_window(self, silent, what, seconds=QUIET):
        """For `seconds`, the audio of every speaker of `silent` grows by at most STRAY frames."""
        before = self.audio()
        await asyncio.sleep(seconds)
        grown = self.grown(before)
        for c in silent:
            check(grown[c.name] <= STRAY,
                  "%s: Vera decoded %d audio frames from %s in %.1fs (not among the top %d; at most "
                  "%d in flight); all: %r" % (what, grown[c.name], c.name, seconds, N, STRAY, grown))
        return grown

    async def packets_lost(self, speaker):
        """What Vera's receiver counts lost on `speaker`'s audio stream."""
        mids = [m for m in self.viewer.mids_of(speaker.peer_id)
                if self.viewer.streams[m].get("kind") == "audio"]
        check_equal(len(mids), 1, "audio m-lines of %s at Vera" % speaker.name)
        for transceiver in self.viewer.sub_pc.getTransceivers():
            if transceiver.mid == mids[0]:
                stats = await transceiver.receiver.getStats()
                inbound = [s for s in stats.values() if s.type == "inbound-rtp"]
                check(inbound, "no inbound-rtp stats for %s's audio" % speaker.name)
                return inbound[0].packetsLost
        raise AssertionError("no transceiver for mid %s" % mids[0])


async def setup(server):
    meeting = server.create_meeting(title="Last-N audio test")
    viewer = RtkClient(server, "vera")
    speakers = [Speaker(server, name) for name in ("ada", "bob", "cy")]
    rests = {c: server.add_participant(meeting["id"], c.name.capitalize()) for c in [viewer] + speakers}
    await viewer.join(rests[viewer]["token"])
    for speaker in speakers:
        await speaker.join(rests[speaker]["token"])
        await speaker.publish_voice()
    await viewer.subscribe(rests[viewer]["token"])
    for speaker in speakers:
        await viewer.wait_frames(speaker.peer_id, video=10, timeout=MEDIA_TIMEOUT)
    log("vera receives everyone's video")
    return Meeting(viewer, speakers)


async def everyone_silent(m):
    grown = await m.quiet_window(m.speakers, "everyone silent")
    log("everyone silent: no audio reaches vera (%r)" % grown)


async def ada_speaks(m):
    m.ada.voice.loud = True
    delay = await m.wait_audio(m.ada, 1, MEDIA_TIMEOUT, "Ada speaks")
    check(delay <= ENTER, "Ada's audio reached Vera %.2fs after she started speaking (limit %.1fs)"
          % (delay, ENTER))
    before = m.audio()
    await m.wait_audio(m.ada, WINDOW, MEDIA_TIMEOUT, "Ada speaks")
    grown = m.grown(before)
    for c in (m.bob, m.cy):
        check(grown[c.name] <= STRAY, "Ada speaks: Vera decoded %d audio frames from silent %s; all: %r"
              % (grown[c.name], c.name, grown))
    log("Ada speaks: heard %.2fs after she started; only her audio reaches vera (%r)" % (delay, grown))


async def bob_takes_over(m):
    before = m.audio()
    switched = time.monotonic()
    m.ada.voice.loud = False
    m.bob.voice.loud = True
    await m.wait_audio(m.bob, WINDOW, MEDIA_TIMEOUT, "Ada silent, Bob speaks")
    remaining = switched + HELD - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)
    held = m.grown(before)
    check(held["ada"] >= int(HELD * 50) - 10,
          "Ada stopped: Vera decoded only %d audio frames from her in the %.1fs after she stopped "
          "(the hold keeps her forwarded: about %d); all: %r" % (held["ada"], HELD, int(HELD * 50), held))
    check(held["cy"] <= STRAY, "Bob speaks: Vera decoded %d audio frames from silent Cy" % held["cy"])
    remaining = switched + GONE - time.monotonic()
    if remaining > 0:
        await asyncio.sleep(remaining)
    grown = await m.quiet_window([m.ada, m.cy], "Bob speaks, %.0fs after Ada stopped" % GONE, seconds=1.5)
    check(grown["bob"] >= 50, "Bob speaks: only %d audio frames from him in 1.5 s" % grown["bob"])
    log("Bob speaks: Ada held for the first %.1fs (%d frames), then gone; Cy never heard"
        % (HELD, held["ada"]))


async def ada_again(m):
    lost_before = await m.packets_lost(m.ada)
    m.bob.voice.loud = False
    m.ada.voice.loud = True
    await m.wait_audio(m.ada, WINDOW * 2, MEDIA_TIMEOUT, "Ada speaks again")
    lost = await m.packets_lost(m.ada)
    check(lost - lost_before <= MAX_LOST,
          "Ada's audio resumed after a pause of seconds: Vera's receiver counts %d packets lost "
          "(sequence numbers not continuous)" % (lost - lost_before))
    log("Ada heard again; lost packets on her stream: %d (before the pause %d)" % (lost, lost_before))


async def main():
    server = Server(env={"RTK_LAST_N_AUDIO": str(N)}).start()
    m = await setup(server)
    await everyone_silent(m)
    await ada_speaks(m)
    await bob_takes_over(m)
    await ada_again(m)


if __name__ == "__main__":
    run_test(main)
