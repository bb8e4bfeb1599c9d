package media

import (
	"sync/atomic"
	"time"
)

// Stats are a leg's counters since it was opened.
type Stats struct {
	PacketsIn, BytesIn   uint64 // RTP from the far end's address (including packets dropped for their payload type)
	PacketsOut, BytesOut uint64 // RTP sent to the far end
	DroppedSource        uint64 // datagrams from an unexpected address (or while on hold)
	DroppedMalformed     uint64 // not RTP, or a short telephone-event payload
	DroppedPT            uint64 // payload type neither G.711, CN nor the negotiated telephone-event
	ComfortNoise         uint64 // comfort noise packets received (counted as activity, not relayed)
	TapDrops             uint64 // decoded frames a slow tap subscriber missed
	DigitDrops           uint64 // keys dropped because Digits was full
	EventsBlocked        uint64 // telephone-events from this leg an event handler kept back
	SendErrors           uint64 // socket writes that failed
	// LastPacket is when RTP was last accepted from the far end (zero if
	// never).
	LastPacket time.Time
}

type counters struct {
	packetsIn, bytesIn, packetsOut, bytesOut atomic.Uint64
	droppedSource, droppedMalformed          atomic.Uint64
	droppedPT, comfortNoise                  atomic.Uint64
	tapDrops, digitDrops, eventsBlocked      atomic.Uint64
	sendErrors                               atomic.Uint64
	lastRx                                   atomic.Int64 // leg clock, 0: never
}

func (c *counters) snapshot(epoch time.Time) Stats {
	s := Stats{
		PacketsIn: c.packetsIn.Load(), BytesIn: c.bytesIn.Load(),
		PacketsOut: c.packetsOut.Load(), BytesOut: c.bytesOut.Load(),
		DroppedSource: c.droppedSource.Load(), DroppedMalformed: c.droppedMalformed.Load(),
		DroppedPT: c.droppedPT.Load(), ComfortNoise: c.comfortNoise.Load(),
		TapDrops: c.tapDrops.Load(), DigitDrops: c.digitDrops.Load(),
		EventsBlocked: c.eventsBlocked.Load(), SendErrors: c.sendErrors.Load(),
	}
	if rx := c.lastRx.Load(); rx != 0 {
		s.LastPacket = epoch.Add(time.Duration(rx))
	}
	return s
}
