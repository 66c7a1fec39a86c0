package maml

// dl4go's fast pure-Go backend: gomlxext.Backend() picks it when it is compiled in. The second-order
// meta-gradient is dominated by matmul gradients, which it runs ~4-5× faster than plain "go".
import _ "github.com/dl4go/dl4go/gomlxext/backend"
