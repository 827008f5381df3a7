#!/usr/bin/python3
"""capture_depack_aiortc.py - records the RTP an aiortc sender puts on the wire
(before SRTP) for a short VP8 + Opus stream, as a fixture for test_depack.

aiortc's own RTCRtpSender runs unchanged (its encoders, packetizers, RTP
header extensions, sequence numbers and timestamps), on a stand-in transport
whose _send_rtp() writes each packet to the fixture instead of encrypting it.
The video track paints a moving gradient at 320x240, 30 fps; the audio track
is a 440 Hz tone, 20 ms frames. A keyframe is requested (as a PLI would) at
video frame 20.

Output format (also the fuzz targets' input format): for each packet, a
2-byte big-endian length, then the RTP packet. Usage:
    /usr/bin/python3 capture_depack_aiortc.py depack_aiortc_vp8_opus.rtp
"""
import asyncio
import fractions
import math
import struct
import sys

import numpy
from av import AudioFrame, VideoFrame

from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import (
    RTCRtcpParameters,
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpSendParameters,
)
from aiortc.rtcrtpsender import RTCRtpSender

WIDTH, HEIGHT = 320, 240
VIDEO_FRAMES = 30
AUDIO_FRAMES = 50
VP8_PT, OPUS_PT = 96, 111


class GradientTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, sender_ref):
        super().__init__()
        self.n = 0
        self.sender_ref = sender_ref

    async def recv(self):
        if self.n >= VIDEO_FRAMES:
            await asyncio.sleep(3600)
        if self.n == 20:
            self.sender_ref[0]._send_keyframe()
        await asyncio.sleep(1 / 30)
        y, x = numpy.mgrid[0:HEIGHT, 0:WIDTH]
        img = numpy.zeros((HEIGHT, WIDTH, 3), numpy.uint8)
        img[..., 0] = (x * 255 // WIDTH + self.n * 8) % 256
        img[..., 1] = (y * 255 // HEIGHT) % 256
        img[..., 2] = ((x + y + self.n * 4) % 64) * 4
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = self.n * 3000
        frame.time_base = fractions.Fraction(1, 90000)
        self.n += 1
        return frame


class ToneTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self):
        super().__init__()
        self.n = 0

    async def recv(self):
        if self.n >= AUDIO_FRAMES:
            await asyncio.sleep(3600)
        await asyncio.sleep(0.02)
        samples = 960
        t = numpy.arange(self.n * samples, (self.n + 1) * samples) / 48000
        tone = (numpy.sin(2 * math.pi * 440 * t) * 8000).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = self.n * samples
        frame.time_base = fractions.Fraction(1, 48000)
        self.n += 1
        return frame


class CaptureTransport:
    """What RTCRtpSender needs of an RTCDtlsTransport, writing RTP out."""

    state = "connected"
    _stats_id = "capture"

    def __init__(self, out):
        self.out = out
        self.count = 0

    def _register_rtp_sender(self, sender, parameters):
        pass

    def _unregister_rtp_sender(self, sender):
        pass

    async def _send_rtp(self, data):
        self.out.write(struct.pack("!H", len(data)) + data)
        self.count += 1

    async def _send_rtcp(self, data):
        pass

    def _get_stats(self):
        return {}


def parameters(codec, mid):
    return RTCRtpSendParameters(
        codecs=[codec],
        headerExtensions=[
            RTCRtpHeaderExtensionParameters(id=1, uri="urn:ietf:params:rtp-hdrext:sdes:mid"),
            RTCRtpHeaderExtensionParameters(
                id=3, uri="http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
            ),
            RTCRtpHeaderExtensionParameters(id=4, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
        ],
        muxId=mid,
        rtcp=RTCRtcpParameters(cname="rtk-capture", mux=True),
    )


async def main(path):
    with open(path, "wb") as out:
        transport = CaptureTransport(out)
        ref = [None]
        video = RTCRtpSender(GradientTrack(ref), transport)
        ref[0] = video
        audio = RTCRtpSender(ToneTrack(), transport)
        await video.send(parameters(RTCRtpCodecParameters(
            mimeType="video/VP8", clockRate=90000, payloadType=VP8_PT), "0"))
        await audio.send(parameters(RTCRtpCodecParameters(
            mimeType="audio/opus", clockRate=48000, channels=2, payloadType=OPUS_PT), "1"))
        await asyncio.sleep(1.6)
        await video.stop()
        await audio.stop()
    print(f"{path}: {transport.count} packets, {VIDEO_FRAMES} VP8 frames {WIDTH}x{HEIGHT}, "
          f"{AUDIO_FRAMES} Opus frames")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
