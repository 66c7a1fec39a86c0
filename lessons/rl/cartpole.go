package rl

import (
	"math"
	"math/rand/v2"
)

// CartPole is the classic cart-pole balancing task (Barto, Sutton & Anderson 1983), with the
// constants, equations and termination of gym's CartPole-v1: a pole hinged on a cart that moves
// on a frictionless track; the agent pushes the cart left or right with a force of 10 N each
// step (τ = 0.02 s, explicit Euler). Every step the pole stays up pays +1; the episode ends when
// the pole leans more than 12° or the cart leaves ±2.4 m, and is cut off after 500 steps.
//
// State: [x, ẋ, θ, θ̇] (cart position m, cart velocity m/s, pole angle rad, angular velocity rad/s).
type CartPole struct {
	State [4]float64
	Steps int  // steps taken in this episode.
	Done  bool // the episode has ended (terminated or truncated).
}

// CartPole constants (gym CartPole-v1).
const (
	cpGravity   = 9.8
	cpMassCart  = 1.0
	cpMassPole  = 0.1
	cpTotalMass = cpMassCart + cpMassPole
	cpLength    = 0.5 // half the pole's length.
	cpPoleMassL = cpMassPole * cpLength
	cpForceMag  = 10.0
	cpTau       = 0.02 // seconds between state updates.

	// CartPoleThetaLimit is the pole angle (radians, 12°) beyond which an episode terminates.
	CartPoleThetaLimit = 12 * 2 * math.Pi / 360
	// CartPoleXLimit is the cart position (m) beyond which an episode terminates.
	CartPoleXLimit = 2.4
	// CartPoleMaxSteps is the step at which an episode is truncated (CartPole-v1).
	CartPoleMaxSteps = 500
)

// Reset starts a new episode from a state drawn uniformly in [−0.05, 0.05]⁴.
func (c *CartPole) Reset(rng *rand.Rand) {
	for i := range c.State {
		c.State[i] = rng.Float64()*0.1 - 0.05
	}
	c.Steps, c.Done = 0, false
}

// Step pushes the cart left (action 0) or right (action 1) for τ seconds and returns the reward
// (+1 for every step taken, the last one included). It sets Done when the pole fell, the cart
// left the track or 500 steps were taken.
func (c *CartPole) Step(action int) float64 {
	x, xDot, theta, thetaDot := c.State[0], c.State[1], c.State[2], c.State[3]
	force := -cpForceMag
	if action == 1 {
		force = cpForceMag
	}
	cos, sin := math.Cos(theta), math.Sin(theta)
	// The equations of motion of the cart-pole (Barto et al. 1983; Florian 2007 without friction).
	temp := (force + cpPoleMassL*thetaDot*thetaDot*sin) / cpTotalMass
	thetaAcc := (cpGravity*sin - cos*temp) / (cpLength * (4.0/3.0 - cpMassPole*cos*cos/cpTotalMass))
	xAcc := temp - cpPoleMassL*thetaAcc*cos/cpTotalMass
	// Explicit Euler, in gym's order: positions use the old velocities.
	x += cpTau * xDot
	xDot += cpTau * xAcc
	theta += cpTau * thetaDot
	thetaDot += cpTau * thetaAcc
	c.State = [4]float64{x, xDot, theta, thetaDot}
	c.Steps++
	terminated := x < -CartPoleXLimit || x > CartPoleXLimit ||
		theta < -CartPoleThetaLimit || theta > CartPoleThetaLimit
	c.Done = terminated || c.Steps >= CartPoleMaxSteps
	return 1
}

// Observe writes the state [x, ẋ, θ, θ̇] into dst[:4] as float32, a policy network's input.
func (c *CartPole) Observe(dst []float32) {
	for j, v := range c.State {
		dst[j] = float32(v)
	}
}
