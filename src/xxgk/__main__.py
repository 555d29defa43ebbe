from xxgk.cli import main

main()
