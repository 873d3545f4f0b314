# ruff: noqa: E501 - wire samples: a streamed message is one line, however long.
"""JSON bodies the way a Docker 20.10 daemon (API v1.41) sends them, written from the
v1.41-docker-20.10 spec and dockerd's Go types: nulls for empty slices and maps, zero times,
fields the v1.55 spec no longer has, and an unknown field or two."""

from __future__ import annotations

CID = "6c1d2a4be9e2e1a3f1a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b"
IMAGE_ID = "sha256:7cfbbec8963d8f13e6c70416d6592e1cc10f47a348131290a55d43c3acab3fb9"
NET_ID = "1f0ee8c2ad5fa4c1a36a4b5b7ca1e1a4b84a8db1e14cf5a7d1ac0fd3ab8f2b51"
EP_ID = "9a5d7e3c2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d"

CONTAINER_LIST = b"""[
 {"Id": "%(cid)s", "Names": ["/demo"], "Image": "busybox", "ImageID": "%(image)s",
  "Command": "sh -c cat", "Created": 1683195072,
  "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
            {"PrivatePort": 443, "Type": "tcp"}],
  "Labels": {"com.example.team": "infra"}, "State": "running", "Status": "Up 3 minutes",
  "HostConfig": {"NetworkMode": "default"},
  "NetworkSettings": {"Networks": {"bridge": {
      "IPAMConfig": null, "Links": null, "Aliases": null, "NetworkID": "%(net)s",
      "EndpointID": "%(ep)s", "Gateway": "172.17.0.1", "IPAddress": "172.17.0.2",
      "IPPrefixLen": 16, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
      "MacAddress": "02:42:ac:11:00:02", "DriverOpts": null}}},
  "Mounts": [{"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data",
              "Destination": "/data", "Driver": "local", "Mode": "z", "RW": true,
              "Propagation": ""}]},
 {"Id": "%(cid)s", "Names": ["/stopped"], "Image": "busybox", "ImageID": "%(image)s",
  "Command": "true", "Created": 1683195000, "Ports": [], "Labels": {}, "State": "exited",
  "Status": "Exited (0) 5 minutes ago", "HostConfig": {"NetworkMode": "none"},
  "NetworkSettings": {"Networks": {}}, "Mounts": []}
]""" % {
    b"cid": CID.encode(),
    b"image": IMAGE_ID.encode(),
    b"net": NET_ID.encode(),
    b"ep": EP_ID.encode(),
}

CONTAINER_INSPECT = b"""{
 "Id": "%(cid)s", "Created": "2023-05-04T10:11:12.123456789Z", "Path": "sh", "Args": ["-c", "cat"],
 "State": {"Status": "running", "Running": true, "Paused": false, "Restarting": false,
           "OOMKilled": false, "Dead": false, "Pid": 4242, "ExitCode": 0, "Error": "",
           "StartedAt": "2023-05-04T10:11:13.5Z", "FinishedAt": "0001-01-01T00:00:00Z"},
 "Image": "%(image)s",
 "ResolvConfPath": "/var/lib/docker/containers/%(cid)s/resolv.conf",
 "HostnamePath": "/var/lib/docker/containers/%(cid)s/hostname",
 "HostsPath": "/var/lib/docker/containers/%(cid)s/hosts",
 "LogPath": "/var/lib/docker/containers/%(cid)s/%(cid)s-json.log",
 "Name": "/demo", "RestartCount": 0, "Driver": "overlay2", "Platform": "linux",
 "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "docker-default", "ExecIDs": null,
 "HostConfig": {
  "Binds": null, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
  "NetworkMode": "default", "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
  "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "AutoRemove": false,
  "VolumeDriver": "", "VolumesFrom": null, "CapAdd": null, "CapDrop": null,
  "CgroupnsMode": "private", "Dns": [], "DnsOptions": [], "DnsSearch": [], "ExtraHosts": null,
  "GroupAdd": null, "IpcMode": "private", "Cgroup": "", "Links": null, "OomScoreAdj": 0,
  "PidMode": "", "Privileged": false, "PublishAllPorts": false, "ReadonlyRootfs": false,
  "SecurityOpt": null, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864, "Runtime": "runc",
  "ConsoleSize": [0, 0], "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0,
  "CgroupParent": "", "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": null,
  "BlkioDeviceWriteBps": null, "BlkioDeviceReadIOps": null, "BlkioDeviceWriteIOps": null,
  "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
  "CpusetCpus": "", "CpusetMems": "", "Devices": [], "DeviceCgroupRules": null,
  "DeviceRequests": null, "KernelMemory": 0, "KernelMemoryTCP": 0, "MemoryReservation": 0,
  "MemorySwap": 0, "MemorySwappiness": null, "OomKillDisable": false, "PidsLimit": null,
  "Ulimits": null, "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
  "MaskedPaths": ["/proc/asound", "/proc/acpi", "/proc/kcore"],
  "ReadonlyPaths": ["/proc/bus", "/proc/fs"]},
 "GraphDriver": {"Data": {"LowerDir": "/var/lib/docker/overlay2/l1-init/diff:/var/lib/docker/overlay2/l0/diff",
                          "MergedDir": "/var/lib/docker/overlay2/l1/merged",
                          "UpperDir": "/var/lib/docker/overlay2/l1/diff",
                          "WorkDir": "/var/lib/docker/overlay2/l1/work"},
                 "Name": "overlay2"},
 "Mounts": [],
 "Config": {"Hostname": "6c1d2a4be9e2", "Domainname": "", "User": "", "AttachStdin": true,
            "AttachStdout": true, "AttachStderr": true, "ExposedPorts": {"80/tcp": {}},
            "Tty": false, "OpenStdin": true, "StdinOnce": true,
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh", "-c", "cat"], "Image": "busybox", "Volumes": null, "WorkingDir": "",
            "Entrypoint": null, "OnBuild": null, "Labels": {}},
 "NetworkSettings": {"Bridge": "", "SandboxID": "b1a2c3d4e5f6", "HairpinMode": false,
   "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
   "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "443/tcp": null},
   "SandboxKey": "/var/run/docker/netns/b1a2c3d4e5f6", "SecondaryIPAddresses": null,
   "SecondaryIPv6Addresses": null, "EndpointID": "%(ep)s", "Gateway": "172.17.0.1",
   "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "172.17.0.2",
   "IPPrefixLen": 16, "IPv6Gateway": "", "MacAddress": "02:42:ac:11:00:02",
   "Networks": {"bridge": {"IPAMConfig": null, "Links": null, "Aliases": null,
     "NetworkID": "%(net)s", "EndpointID": "%(ep)s", "Gateway": "172.17.0.1",
     "IPAddress": "172.17.0.2", "IPPrefixLen": 16, "IPv6Gateway": "", "GlobalIPv6Address": "",
     "GlobalIPv6PrefixLen": 0, "MacAddress": "02:42:ac:11:00:02", "DriverOpts": null}}},
 "SomeFieldFromTheFuture": {"nested": [1, 2, 3]}
}""" % {
    b"cid": CID.encode(),
    b"image": IMAGE_ID.encode(),
    b"net": NET_ID.encode(),
    b"ep": EP_ID.encode(),
}

IMAGE_LIST = b"""[
 {"Containers": -1, "Created": 1683195000, "Id": "%(image)s", "Labels": null, "ParentId": "",
  "RepoDigests": ["busybox@sha256:b5d6fe0712636ceb7430189de28819e195e8966372edfc2d9409d79402a0dc16"],
  "RepoTags": ["busybox:latest"], "SharedSize": -1, "Size": 4261550, "VirtualSize": 4261550},
 {"Containers": -1, "Created": 1683100000, "Id": "sha256:aa", "Labels": {"a": "b"},
  "ParentId": "", "RepoDigests": null, "RepoTags": null, "SharedSize": -1, "Size": 1,
  "VirtualSize": 1}
]""" % {b"image": IMAGE_ID.encode()}

IMAGE_INSPECT = b"""{
 "Id": "%(image)s", "RepoTags": ["busybox:latest"],
 "RepoDigests": ["busybox@sha256:b5d6fe0712636ceb7430189de28819e195e8966372edfc2d9409d79402a0dc16"],
 "Parent": "", "Comment": "", "Created": "2023-04-14T00:19:37.753185826Z",
 "Container": "a10c5ce82bde9d3fb43b6f2a7e7b0da5d4b8a6d8e9c7b1a2f3e4d5c6b7a89012",
 "ContainerConfig": {"Hostname": "a10c5ce82bde", "Domainname": "", "User": "",
   "AttachStdin": false, "AttachStdout": false, "AttachStderr": false, "Tty": false,
   "OpenStdin": false, "StdinOnce": false,
   "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
   "Cmd": ["/bin/sh", "-c", "#(nop) ", "CMD [\\"sh\\"]"], "Image": "sha256:1c1f",
   "Volumes": null, "WorkingDir": "", "Entrypoint": null, "OnBuild": null, "Labels": {}},
 "DockerVersion": "20.10.23", "Author": "",
 "Config": {"Hostname": "", "Domainname": "", "User": "", "AttachStdin": false,
   "AttachStdout": false, "AttachStderr": false, "Tty": false, "OpenStdin": false,
   "StdinOnce": false, "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
   "Cmd": ["sh"], "Image": "sha256:1c1f", "Volumes": null, "WorkingDir": "", "Entrypoint": null,
   "OnBuild": null, "Labels": null},
 "Architecture": "amd64", "Os": "linux", "Size": 4261550, "VirtualSize": 4261550,
 "GraphDriver": {"Data": {"MergedDir": "/var/lib/docker/overlay2/x/merged",
   "UpperDir": "/var/lib/docker/overlay2/x/diff", "WorkDir": "/var/lib/docker/overlay2/x/work"},
   "Name": "overlay2"},
 "RootFS": {"Type": "layers",
   "Layers": ["sha256:baacf561cfff825708763ce7ee4a18293716c533e6ece3bd39009a5fb3c804d2"]},
 "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"}
}""" % {b"image": IMAGE_ID.encode()}

NETWORK_INSPECT = b"""{
 "Name": "bridge", "Id": "%(net)s", "Created": "2023-05-04T10:00:00.123456789Z",
 "Scope": "local", "Driver": "bridge", "EnableIPv6": false,
 "IPAM": {"Driver": "default", "Options": null,
          "Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]},
 "Internal": false, "Attachable": false, "Ingress": false, "ConfigFrom": {"Network": ""},
 "ConfigOnly": false,
 "Containers": {"%(cid)s": {"Name": "demo", "EndpointID": "%(ep)s",
   "MacAddress": "02:42:ac:11:00:02", "IPv4Address": "172.17.0.2/16", "IPv6Address": ""}},
 "Options": {"com.docker.network.bridge.default_bridge": "true",
             "com.docker.network.bridge.enable_icc": "true",
             "com.docker.network.bridge.name": "docker0",
             "com.docker.network.driver.mtu": "1500"},
 "Labels": {}
}""" % {b"cid": CID.encode(), b"net": NET_ID.encode(), b"ep": EP_ID.encode()}

VOLUME_LIST = b"""{
 "Volumes": [{"CreatedAt": "2023-05-04T10:00:00Z", "Driver": "local", "Labels": null,
   "Mountpoint": "/var/lib/docker/volumes/data/_data", "Name": "data", "Options": null,
   "Scope": "local"}],
 "Warnings": null
}"""

SYSTEM_VERSION = b"""{
 "Platform": {"Name": ""},
 "Components": [
  {"Name": "Engine", "Version": "20.10.24+dfsg1",
   "Details": {"ApiVersion": "1.41", "Arch": "amd64", "BuildTime": "2023-05-18T08:38:34.000000000+00:00",
               "Experimental": "false", "GitCommit": "5d6db84", "GoVersion": "go1.19.8",
               "KernelVersion": "6.1.0-9-amd64", "MinAPIVersion": "1.12", "Os": "linux"}},
  {"Name": "containerd", "Version": "1.6.20~ds1", "Details": {"GitCommit": "1.6.20~ds1-1"}},
  {"Name": "runc", "Version": "1.1.5+ds1", "Details": {"GitCommit": "1.1.5+ds1-1"}},
  {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": ""}}],
 "Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12",
 "GitCommit": "5d6db84", "GoVersion": "go1.19.8", "Os": "linux", "Arch": "amd64",
 "KernelVersion": "6.1.0-9-amd64", "BuildTime": "2023-05-18T08:38:34.000000000+00:00"
}"""

SYSTEM_INFO = b"""{
 "ID": "3YQW:ZQ3V:6WQF:ABCD:EFGH:IJKL:MNOP:QRST:UVWX:YZ12:3456:7890",
 "Containers": 2, "ContainersRunning": 1, "ContainersPaused": 0, "ContainersStopped": 1,
 "Images": 3, "Driver": "overlay2",
 "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"],
                  ["Native Overlay Diff", "true"], ["userxattr", "false"]],
 "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "ipvlan", "macvlan", "null", "overlay"],
             "Authorization": null,
             "Log": ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local"]},
 "MemoryLimit": true, "SwapLimit": false, "KernelMemory": true, "KernelMemoryTCP": true,
 "CpuCfsPeriod": true, "CpuCfsQuota": true, "CPUShares": true, "CPUSet": true,
 "PidsLimit": true, "IPv4Forwarding": true, "BridgeNfIptables": true, "BridgeNfIp6tables": true,
 "Debug": false, "NFd": 24, "OomKillDisable": true, "NGoroutines": 35,
 "SystemTime": "2023-05-04T10:11:12.123456789Z", "LoggingDriver": "json-file",
 "CgroupDriver": "systemd", "CgroupVersion": "2", "NEventsListener": 0,
 "KernelVersion": "6.1.0-9-amd64", "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
 "OSVersion": "12", "OSType": "linux", "Architecture": "x86_64",
 "IndexServerAddress": "https://index.docker.io/v1/",
 "RegistryConfig": {"AllowNondistributableArtifactsCIDRs": [],
   "AllowNondistributableArtifactsHostnames": [], "InsecureRegistryCIDRs": ["127.0.0.0/8"],
   "IndexConfigs": {"docker.io": {"Name": "docker.io", "Mirrors": [], "Secure": true,
                                  "Official": true}},
   "Mirrors": []},
 "NCPU": 2, "MemTotal": 4123456789, "GenericResources": null, "DockerRootDir": "/var/lib/docker",
 "HttpProxy": "", "HttpsProxy": "", "NoProxy": "", "Name": "host", "Labels": [],
 "ExperimentalBuild": false, "ServerVersion": "20.10.24+dfsg1", "ClusterStore": "",
 "ClusterAdvertise": "",
 "Runtimes": {"io.containerd.runc.v2": {"path": "runc"},
              "io.containerd.runtime.v1.linux": {"path": "runc"}, "runc": {"path": "runc"}},
 "DefaultRuntime": "runc",
 "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": false,
           "Error": "", "RemoteManagers": null},
 "LiveRestoreEnabled": false, "Isolation": "", "InitBinary": "docker-init",
 "ContainerdCommit": {"ID": "1.6.20~ds1-1", "Expected": "1.6.20~ds1-1"},
 "RuncCommit": {"ID": "1.1.5+ds1-1", "Expected": "1.1.5+ds1-1"},
 "InitCommit": {"ID": "", "Expected": ""},
 "SecurityOptions": ["name=apparmor", "name=seccomp,profile=default", "name=cgroupns"],
 "Warnings": ["WARNING: No swap limit support"]
}"""

EVENTS = b"""{"status":"start","id":"%(cid)s","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"%(cid)s","Attributes":{"image":"busybox","name":"demo"}},"scope":"local","time":1683195073,"timeNano":1683195073123456789}
{"Type":"network","Action":"connect","Actor":{"ID":"%(net)s","Attributes":{"container":"%(cid)s","name":"bridge","type":"bridge"}},"scope":"local","time":1683195073,"timeNano":1683195073100000000}
{"status":"pull","id":"busybox:latest","Type":"image","Action":"pull","Actor":{"ID":"busybox:latest","Attributes":{"name":"busybox"}},"scope":"local","time":1683195000,"timeNano":1683195000000000000}
{"status":"create","id":"%(cid)s","Type":"pod","Action":"create","Actor":{"ID":"%(cid)s","Attributes":{}},"scope":"local","time":1683195000,"timeNano":1683195000000000000}
""" % {b"cid": CID.encode(), b"net": NET_ID.encode()}

STATS = b"""{"read":"2023-05-04T10:20:00.123456789Z","preread":"2023-05-04T10:19:59.120000000Z",
"pids_stats":{"current":1,"limit":18446744073709551615},
"blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"read","value":4096},
  {"major":8,"minor":0,"op":"write","value":0}],"io_serviced_recursive":null,
  "io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,
  "io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},
"num_procs":0,"storage_stats":{},
"cpu_stats":{"cpu_usage":{"total_usage":12345678,"usage_in_kernelmode":2345678,
  "usage_in_usermode":10000000},"system_cpu_usage":987654321000000,"online_cpus":2,
  "throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},
"precpu_stats":{"cpu_usage":{"total_usage":12000000,"usage_in_kernelmode":2300000,
  "usage_in_usermode":9700000},"system_cpu_usage":987652321000000,"online_cpus":2,
  "throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},
"memory_stats":{"usage":1048576,"stats":{"active_anon":8192,"active_file":0,"anon":139264,
  "file":0,"inactive_anon":131072,"pgfault":1353,"workingset_refault":0},"limit":4123456789},
"name":"/demo","id":"%(cid)s",
"networks":{"eth0":{"rx_bytes":1296,"rx_packets":16,"rx_errors":0,"rx_dropped":0,
  "tx_bytes":0,"tx_packets":0,"tx_errors":0,"tx_dropped":0}}}
""" % {b"cid": CID.encode()}

# One message per line, as `POST /images/create` and `POST /build` stream them.
PULL_PROGRESS = b"""{"status":"Pulling from library/busybox","id":"latest"}
{"status":"Pulling fs layer","progressDetail":{},"id":"325d69979d33"}
{"status":"Downloading","progressDetail":{"current":1024,"total":2140963},"progress":"[>          ]  1.024kB/2.141MB","id":"325d69979d33"}
{"status":"Pull complete","progressDetail":{},"id":"325d69979d33"}
{"status":"Digest: sha256:b5d6fe0712636ceb7430189de28819e195e8966372edfc2d9409d79402a0dc16"}
{"status":"Status: Downloaded newer image for busybox:latest"}
"""
PULL_ERROR = b"""{"errorDetail":{"message":"manifest for busybox:nope not found: manifest unknown"},"error":"manifest for busybox:nope not found: manifest unknown"}"""
BUILD_PROGRESS = b"""{"stream":"Step 1/2 : FROM busybox"}
{"stream":"\\n"}
{"aux":{"ID":"sha256:7cfbbec8963d8f13e6c70416d6592e1cc10f47a348131290a55d43c3acab3fb9"}}
{"stream":"Successfully built 7cfbbec8963d\\n"}
{"id":"moby.buildkit.trace","aux":"CmsKR3NoYTI1NjpmMWU4"}
"""

EXEC_INSPECT = b"""{"ID":"d34db33f","Running":false,"ExitCode":3,
"ProcessConfig":{"tty":false,"entrypoint":"sh","arguments":["-c","exit 3"],"privileged":false},
"OpenStdin":false,"OpenStderr":true,"OpenStdout":true,"CanRemove":false,
"ContainerID":"%(cid)s","DetachKeys":"","Pid":0}""" % {b"cid": CID.encode()}

CONTAINER_WAIT = b'{"Error":null,"StatusCode":137}'
CONTAINER_TOP = b"""{"Processes":[["root","4242","4220","0","10:11","?","00:00:00","sh -c cat"]],
"Titles":["UID","PID","PPID","C","STIME","TTY","TIME","CMD"]}"""
CONTAINER_CHANGES = (
    b'[{"Kind":1,"Path":"/tmp"},{"Kind":0,"Path":"/tmp/x"},{"Kind":2,"Path":"/etc/motd"}]'
)

# `GET /system/df` below API v1.52: flat lists, not the v1.52+ usage objects.
SYSTEM_DF = b"""{"LayersSize":4261550,
"Images":[{"Containers":1,"Created":1683195000,"Id":"%(image)s","Labels":null,"ParentId":"",
  "RepoDigests":null,"RepoTags":["busybox:latest"],"SharedSize":0,"Size":4261550,
  "VirtualSize":4261550}],
"Containers":[{"Id":"%(cid)s","Names":["/demo"],"Image":"busybox","ImageID":"%(image)s",
  "Command":"sh","Created":1683195072,"Ports":[],"SizeRw":12,"SizeRootFs":4261562,"Labels":{},
  "State":"running","Status":"Up","HostConfig":{"NetworkMode":"none"},
  "NetworkSettings":{"Networks":{}},"Mounts":[]}],
"Volumes":[{"CreatedAt":"2023-05-04T10:00:00Z","Driver":"local","Labels":null,
  "Mountpoint":"/var/lib/docker/volumes/data/_data","Name":"data","Options":null,
  "Scope":"local","UsageData":{"RefCount":1,"Size":0}}],
"BuildCache":[{"ID":"xk3y","Parent":"","Type":"regular","Description":"mount / from exec /bin/sh -c true",
  "InUse":false,"Shared":false,"Size":8192,"CreatedAt":"2023-05-04T10:00:00Z",
  "LastUsedAt":"2023-05-04T10:00:00Z","UsageCount":1}],
"BuilderSize":0}""" % {b"cid": CID.encode(), b"image": IMAGE_ID.encode()}
