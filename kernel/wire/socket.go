package wire

import (
	"context"
	"fmt"

	"github.com/go-zeromq/zmq4"
)

// Listen opens the kernel side of a channel, bound on the connection's address:
// ROUTER for shell, control and stdin, PUB for iopub, REP for heartbeat.
func Listen(ctx context.Context, ci ConnectionInfo, ch Channel) (zmq4.Socket, error) {
	var s zmq4.Socket
	switch ch {
	case Shell, Control, Stdin:
		s = zmq4.NewRouter(ctx)
	case IOPub:
		s = zmq4.NewPub(ctx)
	case HB:
		s = zmq4.NewRep(ctx)
	default:
		return nil, fmt.Errorf("listen: unknown channel %q", ch)
	}
	if err := s.Listen(ci.Endpoint(ch)); err != nil {
		s.Close()
		return nil, fmt.Errorf("listen %s on %s: %w", ch, ci.Endpoint(ch), err)
	}
	return s, nil
}

// Dial opens the client side of a channel: DEALER for shell, control and stdin
// (with identity id, which must be the same for shell and stdin so that input
// requests route back), SUB subscribed to everything for iopub, REQ for heartbeat.
// Extra options (e.g. zmq4.WithDialerMaxRetries) are passed to the socket.
func Dial(ctx context.Context, ci ConnectionInfo, ch Channel, id string, extra ...zmq4.Option) (zmq4.Socket, error) {
	opts := append([]zmq4.Option(nil), extra...)
	if id != "" {
		opts = append(opts, zmq4.WithID(zmq4.SocketIdentity(id)))
	}
	var s zmq4.Socket
	switch ch {
	case Shell, Control, Stdin:
		s = zmq4.NewDealer(ctx, opts...)
	case IOPub:
		s = zmq4.NewSub(ctx, opts...)
	case HB:
		s = zmq4.NewReq(ctx, opts...)
	default:
		return nil, fmt.Errorf("dial: unknown channel %q", ch)
	}
	if err := s.Dial(ci.Endpoint(ch)); err != nil {
		s.Close()
		return nil, fmt.Errorf("dial %s on %s: %w", ch, ci.Endpoint(ch), err)
	}
	if ch == IOPub {
		if err := s.SetOption(zmq4.OptionSubscribe, ""); err != nil {
			s.Close()
			return nil, fmt.Errorf("subscribe iopub: %w", err)
		}
	}
	return s, nil
}

// Send encodes m under key and sends it as one multipart message.
func Send(s zmq4.Socket, m *Message, key []byte) error {
	frames, err := m.Encode(key)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.Header.MsgType, err)
	}
	return SendFrames(s, frames)
}

// SendFrames sends raw frames as one multipart message.
func SendFrames(s zmq4.Socket, frames [][]byte) error {
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

// Recv receives one message and decodes it under key (see [Decode] for the errors).
func Recv(s zmq4.Socket, key []byte) (*Message, error) {
	msg, err := s.Recv()
	if err != nil {
		return nil, fmt.Errorf("recv: %w", err)
	}
	return Decode(msg.Frames, key)
}
