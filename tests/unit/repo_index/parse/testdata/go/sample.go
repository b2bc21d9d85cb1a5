// Package server is a Go sample for the golden test.
package server

import (
	"fmt"
	nethttp "net/http"

	"example.com/app/internal/store"
)

// MaxConns bounds connections.
const MaxConns = 10

var (
	defaultName = "srv"
)

// Server serves requests.
type Server struct {
	Name  string
	store *store.Store
}

// Handler handles one request.
type Handler interface {
	Handle(req *nethttp.Request) error
}

type ID = string

type Count int

// NewServer makes a Server.
func NewServer(name string) *Server {
	return &Server{Name: name, store: store.New()}
}

// Serve runs the loop.
func (s *Server) Serve(h Handler) error {
	fmt.Println(s.Name)
	return h.Handle(nil)
}

func (c Count) String() string {
	return fmt.Sprint(int(c))
}
