package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versions lists the pinned upstream modules this binary was built from.
func versions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var b strings.Builder
	for _, d := range info.Deps {
		switch d.Path {
		case "k8s.io/kubernetes", "go.etcd.io/etcd/server/v3", "sigs.k8s.io/kwok", "k8s.io/client-go":
			v := d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
			fmt.Fprintf(&b, "%s %s\n", d.Path, v)
		}
	}
	return b.String()
}
