package mnist_test

import (
	"fmt"

	"github.com/dl4go/dl4go/data/mnist"
)

func ExampleLoad() {
	test, err := mnist.Load(mnist.Test)
	if err != nil {
		panic(err)
	}
	fmt.Println(test.Len(), "images; the first is a", test.Labels[0])
	// Output: 10000 images; the first is a 7
}
