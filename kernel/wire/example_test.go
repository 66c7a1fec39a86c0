package wire_test

import (
	"fmt"

	"github.com/dl4go/dl4go/kernel/wire"
)

// A message is signed into frames and decoded back; a wrong key is refused.
func ExampleDecode() {
	key := []byte("secret")
	req := wire.NewMessage("execute_request", nil, "session-1", map[string]any{"code": "1+2"})
	req.Identities = [][]byte{[]byte("client")}
	frames, err := req.Encode(key)
	if err != nil {
		panic(err)
	}
	got, err := wire.Decode(frames, key)
	if err != nil {
		panic(err)
	}
	var c struct{ Code string }
	if err := got.Unmarshal(&c); err != nil {
		panic(err)
	}
	fmt.Println(got.Header.MsgType, c.Code, string(got.Identities[0]))

	reply := wire.NewMessage("execute_reply", got, "kernel", map[string]string{"status": "ok"})
	fmt.Println(reply.ParentHeader.MsgID == req.Header.MsgID, string(reply.Identities[0]))

	_, err = wire.Decode(frames, []byte("wrong"))
	fmt.Println(err)
	// Output:
	// execute_request 1+2 client
	// true client
	// wire: bad message signature
}
