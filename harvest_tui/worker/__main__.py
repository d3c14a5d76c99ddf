from harvest_tui.worker.process import main

main()
