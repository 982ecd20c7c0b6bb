// Command controlplane is a multi-call binary holding a real Kubernetes control plane, built from
// the upstream modules pinned in ../../go.mod: one link instead of five.
//
//	controlplane etcd --data-dir DIR --client-port N --peer-port M
//	controlplane kube-apiserver [upstream flags]
//	controlplane kube-controller-manager [upstream flags]
//	controlplane kube-scheduler [upstream flags]
//	controlplane kwok [upstream flags]
//	controlplane kwok-stages   (the default kwok stage configuration, YAML)
//	controlplane version
//
// The first argument (or the program's base name, when invoked through a symlink) picks the
// component; the rest is handed to the upstream command unchanged.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	_ "time/tzdata" // CronJob time zones, as upstream's kube-apiserver and controller-manager

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if name == "controlplane" {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "usage: controlplane etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok|kwok-stages|version [args...]")
			os.Exit(2)
		}
		name, args = args[0], args[1:]
	}
	os.Args = append([]string{name}, args...)
	switch name {
	case "etcd":
		os.Exit(runEtcd(args))
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "kwok":
		os.Exit(runKwok())
	case "kwok-stages":
		fmt.Println(kwokStages())
	case "version":
		fmt.Println(strings.TrimSpace(versions()))
	default:
		fmt.Fprintf(os.Stderr, "controlplane: unknown component %q\n", name)
		os.Exit(2)
	}
}
