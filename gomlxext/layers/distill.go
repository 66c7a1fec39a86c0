package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
)

// DistillationLoss is knowledge distillation's loss (Hinton, Vinyals & Dean, 2015), averaged
// over the batch:
//
//	L = α·T²·KL(p_T^teacher ‖ p_T^student) + (1 − α)·CE(y, p_1^student),   p_T = softmax(z / T)
//
// for student and teacher logits [batch, classes] and labels [batch] or [batch, 1] (integer
// class ids). The temperature T > 0 softens both distributions so that the teacher's small
// probabilities — which wrong classes it finds alike — carry signal; the T² keeps the soft
// term's gradient, α·T·(q_T − p_T) with respect to the student's logits, on the scale of the
// hard term's as T grows. The teacher is a target, not a path for gradients (StopGradient).
// alpha in [0, 1]: 0 is plain cross entropy, 1 soft targets only.
func DistillationLoss(student, teacher, labels *Node, temperature, alpha float64) *Node {
	if student.Rank() != 2 || !student.Shape().Equal(teacher.Shape()) {
		panic(fmt.Sprintf("layers.DistillationLoss: student and teacher logits must both be [batch, classes], got %s and %s", student.Shape(), teacher.Shape()))
	}
	if !(temperature > 0) || !(alpha >= 0 && alpha <= 1) {
		panic(fmt.Sprintf("layers.DistillationLoss: temperature %g must be > 0 and alpha %g in [0, 1]", temperature, alpha))
	}
	classes := student.Shape().Dimensions[1]
	if labels.Rank() == 2 {
		labels = Reshape(labels, labels.Shape().Dimensions[0])
	}
	teacher = StopGradient(teacher)
	logPT := LogSoftmax(DivScalar(teacher, temperature), -1) // log p_T^teacher
	logQT := LogSoftmax(DivScalar(student, temperature), -1) // log p_T^student
	kl := ReduceSum(Mul(Exp(logPT), Sub(logPT, logQT)), -1)  // [batch]
	ce := Neg(ReduceSum(Mul(OneHot(labels, classes, student.DType()), LogSoftmax(student, -1)), -1))
	loss := Add(MulScalar(kl, alpha*temperature*temperature), MulScalar(ce, 1-alpha))
	return ReduceAllMean(loss)
}
